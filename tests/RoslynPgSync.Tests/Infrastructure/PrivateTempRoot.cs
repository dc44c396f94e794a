using System;
using System.IO;
using System.Linq;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>
/// A private folder to use as <c>PostgresClusterOptions.TempRoot</c>, so that tests which start
/// their own clusters or fake stale ones never see (or clean up) the folders of parallel tests.
/// </summary>
public sealed class PrivateTempRoot : IDisposable
{
    private const string Prefix = "roslynpgsync-test-";

    /// <summary>Creates <c>/tmp/roslynpgsync-test-&lt;random&gt;</c>.</summary>
    public PrivateTempRoot()
    {
        RemoveEmptyLeftovers();
        Path = System.IO.Path.Combine("/tmp", Prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    /// <summary>
    /// A killed test run leaves its roots behind, emptied by the clusters' watchdogs: remove empty
    /// ones that are more than a minute old (younger ones may belong to a test running now).
    /// </summary>
    private static void RemoveEmptyLeftovers()
    {
        foreach (var folder in Directory.EnumerateDirectories("/tmp", Prefix + "*"))
        {
            try
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > TimeSpan.FromMinutes(1)
                    && !Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    Directory.Delete(folder);
                }
            }
            catch (IOException)
            {
                // Gone or filled meanwhile.
            }
        }
    }
}
