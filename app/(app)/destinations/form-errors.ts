/** The alert on top announces the failure; a message already shown beside its field is not repeated there. */
export function topMessage(formError: string | undefined, fieldErrors: Record<string, string[]> | undefined): string | undefined {
  if (!formError) return undefined;
  const besideFields = Object.values(fieldErrors ?? {}).flat();
  return besideFields.includes(formError) ? "Please correct the highlighted field." : formError;
}
