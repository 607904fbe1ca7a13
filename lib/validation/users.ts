import { z } from "zod";
import { roles } from "@/db/schema/users";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/passwords";

export const emailField = z.string().trim().toLowerCase().max(254, "Email is too long").pipe(z.email("Enter a valid email address"));

export const passwordField = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, "Password must be at most 256 characters");

export const roleField = z.enum(roles, { message: "Role must be admin, editor or viewer" });

export const nameField = z
  .string()
  .trim()
  .max(100, "Name must be at most 100 characters")
  .optional()
  .transform((v) => (v ? v : undefined));

export const createUserInput = z.object({
  email: emailField,
  name: nameField,
  password: passwordField,
  role: roleField,
});
export type CreateUserInput = z.input<typeof createUserInput>;

export const setupInput = z
  .object({
    email: emailField,
    name: nameField,
    password: passwordField,
    confirmPassword: z.string(),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "Passwords do not match",
  });

/** First-run setup from another machine (lib/auth/setup-token.ts); absent for loopback clients. */
export const setupTokenField = z.preprocess((v) => (typeof v === "string" ? v : undefined), z.string().trim().max(256).optional());

export const loginInput = z.object({
  email: emailField,
  password: z.string().min(1, "Enter your password").max(256),
});

export const changeRoleInput = z.object({ userId: z.string().uuid(), role: roleField });
export const userIdInput = z.object({ userId: z.string().uuid() });
