/**
 * The data-testids of a training run's panel (RunStatusPanel) and form (TrainFormShell), per model:
 * the e2e tests and users' scripts find the runs by them, so they stay exactly as they are.
 */
export interface RunTestIds {
  panel: string;
  status: string;
  resumed: string;
  epoch: string;
  checkpoint: string;
  pause: string;
  resume: string;
  cancel: string;
  resumeStored: string;
  discard: string;
}

export interface FormTestIds {
  form: string;
  error: string;
  summary: string;
  start: string;
}

export const GENOME_RUN_TESTIDS: RunTestIds = {
  panel: 'train-panel',
  status: 'train-status',
  resumed: 'train-resumed',
  epoch: 'train-epoch',
  checkpoint: 'train-checkpoint',
  pause: 'train-pause',
  resume: 'train-resume',
  cancel: 'train-cancel',
  resumeStored: 'train-resume-stored',
  discard: 'train-discard',
};

export const RECIPE_RUN_TESTIDS: RunTestIds = {
  panel: 'recipe-train-panel',
  status: 'recipe-train-status',
  resumed: 'recipe-resumed',
  epoch: 'recipe-epoch',
  checkpoint: 'recipe-checkpoint',
  pause: 'recipe-pause',
  resume: 'recipe-resume',
  cancel: 'recipe-cancel',
  resumeStored: 'recipe-resume-stored',
  discard: 'recipe-discard',
};

export const GENOME_FORM_TESTIDS: FormTestIds = { form: 'train-form', error: 'train-form-error', summary: 'train-form-summary', start: 'train-start' };
export const RECIPE_FORM_TESTIDS: FormTestIds = { form: 'recipe-train-form', error: 'recipe-form-error', summary: 'recipe-form-summary', start: 'recipe-train-start' };
