// Shared source: compiled into the generator tests and linked into the benchmark harness, so that
// both build a consumer's compilation against the same references.
using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace RoslynPgSync.Testing;

/// <summary>
/// What a consumer's project compiles against: the platform's System assemblies, the runtime
/// (<c>[Replicate]</c>), and Npgsql and Microsoft.Extensions.Logging.Abstractions, which the generated
/// installer names (both come with the RoslynPgSync package as its dependencies).
/// </summary>
internal static class ConsumerReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> All = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) ||
                        Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(ReplicateAttribute).Assembly.Location)
            .Append(typeof(Npgsql.NpgsqlDataSource).Assembly.Location)
            .Append(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    public static ImmutableArray<MetadataReference> Value => All.Value;
}
