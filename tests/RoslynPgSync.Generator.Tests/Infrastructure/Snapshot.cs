using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Xunit.Sdk;

namespace RoslynPgSync.Generator.Tests.Infrastructure;

/// <summary>
/// Compares generated text with a checked-in <c>Snapshots/{name}.verified.*</c> file beside the tests.
/// A difference fails with a unified diff. Files are rewritten only when the environment variable
/// <c>PGSYNC_UPDATE_SNAPSHOTS=1</c> is set (and never when <c>CI=true</c>).
/// </summary>
internal static class Snapshot
{
    public const string UpdateVariable = "PGSYNC_UPDATE_SNAPSHOTS";

    public static void Match(string actual, string fileName)
    {
        var directory = SnapshotDirectory.Value;
        var path = Path.Combine(directory, fileName);
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        var update = Environment.GetEnvironmentVariable(UpdateVariable) == "1" &&
                     !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        var expected = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal) : null;
        if (expected == actual)
        {
            return;
        }

        if (update)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, actual);
            return;
        }

        var message = expected is null
            ? $"Snapshot {fileName} does not exist. Review the output below, then run the tests with {UpdateVariable}=1 to write it.\n{actual}"
            : $"Snapshot {fileName} differs (run with {UpdateVariable}=1 to accept):\n{UnifiedDiff(expected, actual)}";
        throw new XunitException(message);
    }

    private static readonly Lazy<string> SnapshotDirectory = new(() =>
        typeof(Snapshot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SnapshotDirectory").Value!);

    /// <summary>A line diff from the longest common subsequence, with three lines of context.</summary>
    internal static string UnifiedDiff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Kind, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] > lcs[x + 1, y]))
            {
                lines.Add(('+', b[y++]));
            }
            else
            {
                lines.Add(('-', a[x++]));
            }
        }

        var output = new StringBuilder("--- verified\n+++ received\n");
        for (var k = 0; k < lines.Count; k++)
        {
            var near = false;
            for (var d = Math.Max(0, k - 3); d <= Math.Min(lines.Count - 1, k + 3) && !near; d++)
            {
                near = lines[d].Kind != ' ';
            }

            if (near)
            {
                output.Append(lines[k].Kind).Append(lines[k].Text).Append('\n');
            }
        }

        return output.ToString();
    }
}
