/**
 * "Integrate PostHog" in a monorepo or a multi-root workspace: which package to integrate.
 *
 * The server lists the packages its start-up scan detected (`posthog.listPackages`); with more than one the user
 * picks one of them, or "All packages", and the choice goes to `posthog.integrate` as its argument.
 */
import * as vscode from 'vscode';

/** One package as `posthog.listPackages` describes it. */
export interface DetectedPackage {
    folder: string; // the workspace folder's URI
    folderName: string;
    path: string; // relative to the folder, "." for the folder itself
    framework: string;
    posthogInstalled: boolean;
    argument: unknown; // what `posthog.integrate` takes to integrate just this package
}

export interface PackagePickItem extends vscode.QuickPickItem {
    /** The arguments for `posthog.integrate`: none for "All packages". */
    args: unknown[];
}

/** The packages in a `posthog.listPackages` result; anything malformed is left out. */
export function parsePackages(result: unknown): { packages: DetectedPackage[]; folders: number } {
    const fields = result && typeof result === 'object' ? (result as Record<string, unknown>) : {};
    const list = Array.isArray(fields.packages) ? fields.packages : [];
    const packages = list.filter(
        (p): p is DetectedPackage =>
            !!p && typeof p === 'object' && typeof p.path === 'string' && typeof p.folder === 'string' &&
            p.argument !== undefined,
    );
    const folders = typeof fields.folders === 'number' ? fields.folders : new Set(packages.map((p) => p.folder)).size;
    return { packages, folders };
}

/** Where the package is, as the user reads it: its folder, and the workspace folder too when there are several. */
export function packageLabel(pkg: DetectedPackage, folders: number): string {
    const name = typeof pkg.folderName === 'string' && pkg.folderName ? pkg.folderName : pkg.folder;
    if (folders > 1) {
        return pkg.path === '.' ? name : `${name}/${pkg.path}`;
    }
    return pkg.path === '.' ? `${name} (workspace root)` : pkg.path;
}

/** "All packages" first, then one entry per package with its framework and whether PostHog is installed. */
export function packagePickItems(packages: DetectedPackage[], folders: number): PackagePickItem[] {
    const all: PackagePickItem = {
        label: '$(layers) All packages',
        description: `${packages.length} packages`,
        args: [],
    };
    return [
        all,
        ...packages.map((pkg) => ({
            label: packageLabel(pkg, folders),
            description: typeof pkg.framework === 'string' ? pkg.framework : undefined,
            detail: pkg.posthogInstalled ? 'PostHog SDK installed' : 'PostHog not installed yet',
            args: [pkg.argument],
        })),
    ];
}

type Run = (command: string, args?: unknown[]) => Promise<{ supported: boolean; result?: unknown }>;
type Pick = (items: PackagePickItem[], options: vscode.QuickPickOptions) => Thenable<PackagePickItem | undefined>;

/**
 * The arguments for `posthog.integrate`: `[]` (everything) when there is at most one package or the server cannot
 * list them, the picked package otherwise; undefined when the user dismissed the quick pick.
 */
export async function chooseIntegrationTarget(run: Run, pick: Pick): Promise<unknown[] | undefined> {
    let listed: { packages: DetectedPackage[]; folders: number };
    try {
        const outcome = await run('posthog.listPackages');
        if (!outcome.supported) {
            return [];
        }
        listed = parsePackages(outcome.result);
    } catch {
        return []; // an older or busy server: integrate everything, as before
    }
    if (listed.packages.length <= 1) {
        return [];
    }
    const choice = await pick(packagePickItems(listed.packages, listed.folders), {
        title: 'Integrate PostHog',
        placeHolder: 'Which package should PostHog be integrated into?',
        matchOnDescription: true,
    });
    return choice?.args;
}
