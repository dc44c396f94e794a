using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.Bench;
using Xunit;

namespace RoslynPgSync.Tests.Bench;

/// <summary>
/// The benchmark harness in quick mode, so that it cannot rot: every workload and
/// configuration runs, every destination ends equal to its source, and the generator's outputs
/// are cached after an unrelated edit. Times and ratios are reported, never asserted.
/// </summary>
public sealed class BenchQuickTests
{
    [Fact]
    [Trait("Category", "Bench")]
    public async Task Quick_run_covers_every_configuration_and_every_destination_ends_equal()
    {
        using var log = new StringWriter();

        var (markdown, allEqual) = await BenchProgram.RunAsync(quick: true, log, CancellationToken.None);

        Assert.True(allEqual, log.ToString());
        foreach (var section in new[] { "bulk", "oltp" })
        {
            var table = Section(markdown, section);
            foreach (var configuration in new[] { "| plain |", "| seed |", "| sync |", "| async |", "| native |" })
            {
                Assert.Contains(configuration, table, StringComparison.Ordinal);
            }
        }

        Assert.Contains("| 1 statement | async |", Section(markdown, "drain"), StringComparison.Ordinal);
        Assert.Contains("| ours (install + initial copy) |", Section(markdown, "copy"), StringComparison.Ordinal);
        Assert.Contains("| 100 rows differ |", Section(markdown, "copy"), StringComparison.Ordinal);
        Assert.Contains("| worker | worker before issue 16 | deal_sync_err_rec(1000) |", Section(markdown, "depth"), StringComparison.Ordinal);
        Assert.Contains("| 10 | ", Section(markdown, "generator"), StringComparison.Ordinal);
    }

    /// <summary>The text of one workload's section, from its heading to the next.</summary>
    private static string Section(string markdown, string workload)
    {
        var start = markdown.IndexOf("\n## " + workload, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {workload} section in:\n{markdown}");
        var end = markdown.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }
}
