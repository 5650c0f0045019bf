// Bad input from the user (flags, config, output directory): reported as one line, exit status 2.
export class UsageError extends Error {
  override name = 'UsageError';
}
