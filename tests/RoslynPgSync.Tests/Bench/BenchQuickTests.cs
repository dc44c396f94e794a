using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using RoslynPgSync.Bench;
using Xunit;

namespace RoslynPgSync.Tests.Bench;

/// <summary>
/// The benchmark harness in quick mode, so that it cannot rot: every configuration runs and every
/// destination ends equal to its source. Times and ratios are reported, never asserted.
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
        foreach (var configuration in new[] { "| plain |", "| seed |", "| sync |", "| async |", "| native |" })
        {
            Assert.Contains(configuration, markdown, StringComparison.Ordinal);
        }
    }
}
