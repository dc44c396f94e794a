using System;
using System.IO;
using System.Linq;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Cluster;

/// <summary>
/// The tests and the benchmarks set up their databases one way, through <see cref="TestBed"/>; only the
/// tests of the cluster support itself (this folder) create databases and start clusters directly.
/// </summary>
public sealed class OneSetUpTests
{
    /// <summary>Where starting a cluster directly is the point: a server of another configuration, or the bench's one cluster.</summary>
    private static readonly string[] OwnClusters =
    {
        "tests/RoslynPgSync.Tests/Installation/InstallerTests.cs", // a destination that trusts every login
        "bench/RoslynPgSync.Bench/Program.cs", // the run's cluster, with the bench's settings
    };

    [Fact]
    public void Databases_are_made_only_by_the_test_bed_and_clusters_started_only_where_the_test_needs_its_own()
    {
        var offenders = new[] { "tests/RoslynPgSync.Tests", "bench/RoslynPgSync.Bench" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*.cs", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/'))
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
            .Where(path => !path.StartsWith("tests/RoslynPgSync.Tests/Cluster/", StringComparison.Ordinal))
            .SelectMany(path =>
            {
                var text = Repository.ReadAllText(path);
                var found = new[] { ".CreateDatabaseAsync(", "new Databases(" }.Where(call => text.Contains(call, StringComparison.Ordinal)).ToList();
                if (text.Contains("PostgresCluster.StartAsync(", StringComparison.Ordinal) && !OwnClusters.Contains(path))
                {
                    found.Add("PostgresCluster.StartAsync(");
                }

                return found.Select(call => $"{path}: {call}");
            })
            .ToList();

        Assert.True(offenders.Count == 0, "set up through TestBed instead: " + string.Join("; ", offenders));
    }
}
