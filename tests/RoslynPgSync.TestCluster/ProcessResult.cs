namespace RoslynPgSync.TestCluster;

/// <summary>The outcome of one finished child process.</summary>
/// <param name="ExitCode">The exit code of the process.</param>
/// <param name="StandardOutput">Everything the process wrote to standard output.</param>
/// <param name="StandardError">Everything the process wrote to standard error.</param>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
