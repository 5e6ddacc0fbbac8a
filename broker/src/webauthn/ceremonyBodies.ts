import { z } from 'zod';

// Wire shapes of what the broker's pages POST (WebAuthn L3 §5.1 JSON serialisation as produced by
// @simplewebauthn/browser 13). Strict: unknown fields are refused, sizes are bounded.
const b64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');
const csrf = z.string().min(16).max(128);
const transports = z.array(z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'])).max(8);
const attachment = z.enum(['platform', 'cross-platform']).optional();
const extensionResults = z
  .record(z.string().max(64), z.unknown())
  .refine((r) => Object.keys(r).length <= 16, {
    message: 'too many extension results',
  });

export const csrfOnlyBody = z.object({ csrf }).strict();

/** The PublicKeyCredential JSON envelope (WebAuthn L3 §5.1.10) around a ceremony's `response`. */
function credentialBody<T extends z.ZodRawShape>(response: T) {
  return z
    .object({
      csrf,
      response: z
        .object({
          id: b64url(1024).min(1),
          rawId: b64url(1024).min(1),
          type: z.literal('public-key'),
          authenticatorAttachment: attachment,
          clientExtensionResults: extensionResults,
          response: z.object(response).strict(),
        })
        .strict(),
    })
    .strict();
}

export const assertionBody = credentialBody({
  clientDataJSON: b64url(4096).min(1),
  authenticatorData: b64url(4096).min(1),
  signature: b64url(2048).min(1),
  userHandle: b64url(512).optional(),
});

export const attestationBody = credentialBody({
  clientDataJSON: b64url(4096).min(1),
  attestationObject: b64url(16384).min(1),
  authenticatorData: b64url(4096).optional(),
  transports: transports.optional(),
  publicKeyAlgorithm: z.number().int().optional(),
  publicKey: b64url(4096).optional(),
});

export type AssertionBody = z.infer<typeof assertionBody>;
export type AttestationBody = z.infer<typeof attestationBody>;
