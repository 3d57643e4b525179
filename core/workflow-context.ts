// Describing a CI run to the server's audit log: the `Secrets-Workflow-Context` header (docs/api.md,
// "Workflow context"). What a client says about itself is recorded as claimed, never as verified.
import { WORKFLOW_CONTEXT_FIELDS, WORKFLOW_CONTEXT_HEADER, type WorkflowContext } from './api-types.ts';

/** The run as GitHub Actions describes it in a step's environment (GITHUB_REPOSITORY, GITHUB_RUN_ID, …). */
export function githubWorkflowContext(env: NodeJS.ProcessEnv): WorkflowContext {
  const ctx: WorkflowContext = {};
  const pick: Record<keyof WorkflowContext, string> = {
    repository: 'GITHUB_REPOSITORY',
    workflow: 'GITHUB_WORKFLOW',
    ref: 'GITHUB_REF',
    sha: 'GITHUB_SHA',
    runId: 'GITHUB_RUN_ID',
    runAttempt: 'GITHUB_RUN_ATTEMPT',
    actor: 'GITHUB_ACTOR',
  };
  for (const field of WORKFLOW_CONTEXT_FIELDS) {
    const v = env[pick[field]];
    if (v) ctx[field] = v;
  }
  return ctx;
}

/** The header for a context, URL-encoded (so any text is a valid header value); none when it is empty. */
export function workflowContextHeader(ctx: WorkflowContext): Record<string, string> {
  const params = new URLSearchParams();
  for (const field of WORKFLOW_CONTEXT_FIELDS) {
    const v = ctx[field];
    if (v !== undefined && v !== '') params.set(field, v);
  }
  const value = params.toString();
  return value === '' ? {} : { [WORKFLOW_CONTEXT_HEADER]: value };
}
