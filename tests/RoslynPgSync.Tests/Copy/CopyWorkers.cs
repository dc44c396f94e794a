using Xunit;

namespace RoslynPgSync.Tests.Copy;

/// <summary>
/// The test classes whose hosted workers copy cp.items to copy_async: run one after another, so that a
/// test reading the process-wide RoslynPgSync meter sees only its own worker's copy gauges.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CopyWorkers
{
    public const string Name = "copy_async workers";
}
