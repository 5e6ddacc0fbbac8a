import { escapeHtml } from '../escapeHtml.js';
import { adminPage, dataTable, type AdminShell } from './adminLayout.js';

export interface PolicyPageData {
  name: string;
  description: string;
  hash: string;
  policyIds: string[];
  tests: Array<{ file: string; name: string; passed: boolean; problems: readonly string[] }>;
}

const e = escapeHtml;

export function policyPage(shell: AdminShell, d: PolicyPageData): string {
  const passed = d.tests.filter((t) => t.passed).length;
  const summary = `<dl class="facts">
<dt>Bundle</dt><dd data-testid="bundle-name">${e(d.name)}</dd>
<dt>Version (content hash)</dt><dd><code data-testid="bundle-hash">${e(d.hash)}</code></dd>
<dt>Policies</dt><dd>${d.policyIds.length}</dd>
<dt>Policy tests</dt><dd data-testid="test-summary" class="${passed === d.tests.length ? 'ok' : 'bad'}">${passed} of ${d.tests.length} passed</dd>
</dl>${d.description ? `<p>${e(d.description)}</p>` : ''}`;
  const tests = dataTable({
    caption: 'Policy test results',
    headers: ['File', 'Case', 'Result', 'Problems'],
    rows: d.tests.map((t) => [
      e(t.file),
      e(t.name),
      t.passed ? 'pass' : '<strong>FAIL</strong>',
      e(t.problems.join('; ')),
    ]),
    empty: 'The bundle has no tests.',
    testId: 'policy-tests',
  });
  return adminPage(shell, 'Policy bundle', summary + tests);
}
