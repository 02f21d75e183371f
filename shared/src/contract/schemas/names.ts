// The value types resources share: an http(s) URL (checked by the apiserver too) and a DNS-style name.
import { z } from 'zod';

export const httpUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL')
  .meta({
    // The refinement is invisible to JSON Schema; the CRD states it for the apiserver (CEL, Kubernetes >= 1.27).
    pattern: '^https?://',
    'x-kubernetes-validations': [
      { rule: "isURL(self) && url(self).getHostname() != ''", message: 'must be an http(s) URL' },
    ],
  });

export const dnsName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lower-case DNS name (a-z, 0-9, "-", ".")');
