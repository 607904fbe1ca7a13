import { z } from "zod";

export const destinationNameField = z.string().trim().min(1, "Give the destination a name").max(80, "At most 80 characters");

export const createDestinationInput = z
  .object({
    webhookUrl: z.string().trim().min(1, "Paste the webhook URL").max(2048, "URL is too long"),
    name: destinationNameField.optional(),
    default: z.boolean().optional(),
  })
  .strict();

export const updateDestinationInput = z
  .object({
    id: z.string().uuid(),
    name: destinationNameField.optional(),
    /** Write-only: a new URL replaces the old one entirely. */
    webhookUrl: z.string().trim().max(2048).optional(),
    default: z.boolean().optional(),
  })
  .strict();

export const messageTemplateInput = z
  .object({
    header: z.string().max(300).optional(),
    text: z.string().min(1, "Write the message text").max(3000),
    table: z
      .object({
        model: z.string().min(1).max(63),
        columns: z.array(z.string().min(1).max(63)).max(50).optional(),
        sortBy: z.string().max(63).optional(),
        sortDirection: z.enum(["asc", "desc"]).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
