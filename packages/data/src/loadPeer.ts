/**
 * Imports an optional peer dependency (`load` holds the literal `import()`, so bundlers see it).
 * When it cannot be loaded, throws `ErrorClass` saying which class needs it, why loading failed and
 * how to install it with npm, pnpm or yarn.
 */
export async function loadPeer<T>(
  user: string,
  pkg: string,
  load: () => Promise<T>,
  ErrorClass: new (message: string, options: { cause?: unknown }) => Error,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ErrorClass(
      `${user} needs the optional peer dependency ${pkg}, which could not be loaded (${reason}). Install it beside @candlelab/data: npm install ${pkg} (or pnpm add ${pkg}, or yarn add ${pkg})`,
      { cause: error },
    );
  }
}
