using System;
using System.IO;

namespace RoslynPgSync.Tests.Infrastructure;

/// <summary>The source tree the tests run from, for tests that read its docs or pack its projects.</summary>
public static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder that holds RoslynPgSync.sln, found upwards from the test's output folder.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>A file of the tree by its path from the root, e.g. <c>docs/cli.md</c>.</summary>
    public static string ReadAllText(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static string FindRoot()
    {
        var directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "RoslynPgSync.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("RoslynPgSync.sln not found above " + AppContext.BaseDirectory);
    }
}
