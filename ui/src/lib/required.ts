// Required fields: every empty one is flagged at once, at its field, before anything is sent.
// `Field` and `SelectField` with `required` mark themselves (a visible * and `aria-required`)
// and report an empty value as invalid (also when it is only spaces, as the engine sees it);
// `filled` checks the whole form on submit, which makes each empty field show "Vul dit veld
// in." at the same time, and calls the form's own handler only when none is empty. The engine
// still checks every field itself.

/** A submit handler that first flags every empty required field of the form. */
export function filled<E extends SubmitEvent>(
  handler: (event: E) => unknown,
): (event: E) => unknown {
  return (event: E) => {
    const form = event.currentTarget;
    if (form instanceof HTMLFormElement && !form.checkValidity()) {
      event.preventDefault();
      form.querySelector<HTMLElement>(":invalid")?.focus();
      return;
    }
    return handler(event);
  };
}
