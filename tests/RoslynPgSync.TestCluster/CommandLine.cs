using System.Collections.Generic;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// A program and its arguments, kept apart so that no value is ever glued into a shell string.
/// </summary>
/// <param name="FileName">The program to run.</param>
/// <param name="Arguments">The arguments, passed one by one through <c>ProcessStartInfo.ArgumentList</c>.</param>
internal sealed record CommandLine(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>A short, password-free description for messages: the program's file name only.</summary>
    public string DisplayName => System.IO.Path.GetFileName(FileName);

    /// <summary>The program followed by its arguments, for callers that pass the whole line on (the watchdog).</summary>
    public IEnumerable<string> AllParts()
    {
        yield return FileName;
        foreach (var argument in Arguments)
        {
            yield return argument;
        }
    }
}
