using System;
using System.IO;

namespace RoslynPgSync.Generator.Tests.Infrastructure;

/// <summary>Files of the repository the tests run from (docs, sources), found from the test binaries upwards.</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> RootFolder = new(() =>
    {
        var directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "RoslynPgSync.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("RoslynPgSync.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootFolder.Value;

    public static string PathOf(params string[] parts) => Path.Combine(Root, Path.Combine(parts));
}
