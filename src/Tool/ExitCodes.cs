namespace RoslynPgSync.Tool;

/// <summary>
/// What <c>pgsync</c> returns (docs/cli.md lists them). A script reads any code but
/// <see cref="Success"/> as "not done, or not proven equal".
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked; <c>verify</c> found every table equal to its destinations.</summary>
    public const int Success = 0;

    /// <summary><c>verify</c> found a table that differs from a destination (missing, extra or changed rows, or schema drift).</summary>
    public const int Differences = 1;

    /// <summary>
    /// The command could not run to its end: the app assembly or the configuration file does not exist, the
    /// assembly was not built with RoslynPgSync, the local database or a destination refused, the install refused.
    /// The same number as <see cref="Differences"/>, as before the command line moved to System.CommandLine.
    /// </summary>
    public const int Failed = 1;

    /// <summary>
    /// What pgsync was given is wrong: no or an unknown command, an unknown option, a missing <c>--assembly</c>,
    /// a value that is not a number, no local database, a configuration value or file it cannot read.
    /// </summary>
    public const int UsageError = 2;
}
