using System;
using System.IO;
using System.Threading.Tasks;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace RoslynPgSync.Tests.Samples;

/// <summary>
/// samples/MultiMaster, as built beside this assembly: two nodes on a throwaway cluster of its own writing
/// the same keys with the link between them cut for a while, which must end equal (exit code 0).
/// </summary>
public sealed class MultiMasterSampleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_multi_master_sample_converges_and_shows_the_conflicts_each_node_met()
    {
        // bin/<configuration>/net10.0 of this assembly, the same of the sample's.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var sample = Path.Combine(Repository.Root, "samples", "MultiMaster", "bin", here.Parent!.Name, here.Name, "MultiMaster.dll");
        Assert.True(File.Exists(sample), sample + " was not built");

        var (exitCode, text) = await DotNet.RunAsync(Repository.Root, TimeSpan.FromMinutes(4), sample);
        output.WriteLine(text);

        Assert.Equal(0, exitCode);
        Assert.Contains("link cut: each node keeps writing", text, StringComparison.Ordinal);
        Assert.Matches(@"node_a: +\d+ update_origin_differs, keep_local", text);
        Assert.Matches(@"shop\.stock -> peer:shop\.stock: equal \(\d+ rows\)", text);
        Assert.Contains("the nodes are equal", text, StringComparison.Ordinal);
    }
}
