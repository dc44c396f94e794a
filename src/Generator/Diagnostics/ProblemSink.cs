using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Generator.Diagnostics;

/// <summary>Collects problems for the analyzer, or only remembers that there was an error (generator).</summary>
internal sealed class ProblemSink
{
    private readonly List<Problem>? _problems;
    private readonly INamedTypeSymbol _type;

    public ProblemSink(List<Problem>? problems, INamedTypeSymbol type)
    {
        _problems = problems;
        _type = type;
    }

    public bool HasErrors { get; private set; }

    public void Add(DiagnosticDescriptor descriptor, Location? location, params object[] arguments)
    {
        HasErrors |= descriptor.DefaultSeverity == DiagnosticSeverity.Error;
        _problems?.Add(new Problem(descriptor, location, arguments));
    }

    /// <summary>Reports PGSYNC007 when <paramref name="name"/> cannot be an identifier; returns whether it can.</summary>
    public bool CheckIdentifier(string what, string name, Location? location)
    {
        if (PgSql.IdentifierProblem(name) is not { } problem)
        {
            return true;
        }

        Add(DiagnosticDescriptors.InvalidIdentifier, location, what, name, _type.Name, problem);
        return false;
    }
}
