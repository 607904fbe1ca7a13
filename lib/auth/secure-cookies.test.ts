import { describe, expect, it } from "vitest";
import { shouldUseSecureCookies } from "@/lib/auth/secure-cookies";

describe("shouldUseSecureCookies", () => {
  it("follows APP_URL's scheme when it is set, whatever the request says", () => {
    expect(shouldUseSecureCookies({ appUrl: "https://relay.example.com" })).toBe(true);
    expect(shouldUseSecureCookies({ appUrl: "https://relay.example.com", forwardedProto: "http" })).toBe(true);
    expect(shouldUseSecureCookies({ appUrl: "HTTPS://relay.example.com/base" })).toBe(true);
    expect(shouldUseSecureCookies({ appUrl: "http://10.0.0.5:3000", forwardedProto: "https" })).toBe(false);
  });

  it("without APP_URL, is Secure when the request came over https (the first hop's X-Forwarded-Proto)", () => {
    expect(shouldUseSecureCookies({ forwardedProto: "https" })).toBe(true);
    expect(shouldUseSecureCookies({ forwardedProto: " HTTPS " })).toBe(true);
    expect(shouldUseSecureCookies({ forwardedProto: "https, http" })).toBe(true);
    expect(shouldUseSecureCookies({ forwardedProto: "http" })).toBe(false);
    expect(shouldUseSecureCookies({ forwardedProto: "http, https" })).toBe(false);
  });

  it("is not Secure when nothing says https (next-auth assumed https when the header was missing)", () => {
    expect(shouldUseSecureCookies({})).toBe(false);
    expect(shouldUseSecureCookies({ forwardedProto: null })).toBe(false);
    expect(shouldUseSecureCookies({ forwardedProto: "" })).toBe(false);
    expect(shouldUseSecureCookies({ appUrl: "not a url" })).toBe(false);
  });
});
