// The tenant administration as the WebRTC gateway sees it (part of the composition root):
// the directory's effective tenants for the media workers, its assigned widget origins, and
// call admission (status and limits) over the worker pool's per-tenant active calls.
import { TenantCallAdmission } from '../admin/call-admission.js';
import type { TenantDirectory } from '../admin/tenant-directory.js';
import type { GatewayTenants } from '../gateway/webrtc-gateway.js';

export function gatewayTenants(directory: TenantDirectory): GatewayTenants {
  return {
    list: () => directory.list(),
    onChange: (listener) => directory.onChange(listener),
    assignedOrigins: (tenant) => directory.assignedOrigins(tenant),
    admission: (activeCallsOf) => new TenantCallAdmission(directory, activeCallsOf),
  };
}
