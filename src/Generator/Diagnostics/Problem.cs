using Microsoft.CodeAnalysis;

namespace RoslynPgSync.Generator.Diagnostics;

/// <summary>
/// Something that keeps a type from being replicated (or, for warnings, that looks wrong), found by
/// the one inspection the generator and the analyzer share. Never stored in the generator pipeline.
/// </summary>
internal sealed class Problem
{
    public Problem(DiagnosticDescriptor descriptor, Location? location, params object[] arguments)
    {
        Descriptor = descriptor;
        Location = location;
        Arguments = arguments;
    }

    public DiagnosticDescriptor Descriptor { get; }

    public Location? Location { get; }

    public object[] Arguments { get; }

    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic(Location fallback) => Diagnostic.Create(Descriptor, Location ?? fallback, Arguments);
}
