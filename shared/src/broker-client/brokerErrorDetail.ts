/**
 * The broker's own words for a refusal (`error_description` of its `{ error, error_description }`
 * body), so the user sees why ("posture report refused (replayed_nonce): …"). Broker descriptions
 * never carry secrets; anything else (HTML, a proxy's page) is ignored. Printable text only.
 */
export async function brokerErrorDetail(response: Response): Promise<string> {
  try {
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null) return '';
    const description = (body as Record<string, unknown>)['error_description'];
    if (typeof description !== 'string') return '';
    // eslint-disable-next-line no-control-regex -- no terminal escapes from a remote string
    return `: ${description.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 300)}`;
  } catch {
    return '';
  }
}
