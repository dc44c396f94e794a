using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RoslynPgSync.Generator.Diagnostics;
using RoslynPgSync.Generator.Parsing;

namespace RoslynPgSync.Generator;

/// <summary>
/// Reports, for every <c>[Replicate]</c> type, what keeps it from replicating: the same inspection the
/// generator runs (which then emits nothing for the type), so a user sees one clear error per cause.
/// Beside the generator, like it a consumer of Parsing: Diagnostics holds only the descriptors and
/// problem types that Parsing fills, so the dependency runs one way.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReplicateAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NoPrimaryKey,
        DiagnosticDescriptors.AmbiguousKeyOrder,
        DiagnosticDescriptors.PrimaryKeyMemberNotMapped,
        DiagnosticDescriptors.InvalidKeyMember,
        DiagnosticDescriptors.UnmappableMember,
        DiagnosticDescriptors.DuplicateColumn,
        DiagnosticDescriptors.InvalidIdentifier,
        DiagnosticDescriptors.InvalidServer,
        DiagnosticDescriptors.DuplicateTarget,
        DiagnosticDescriptors.UnsupportedType,
        DiagnosticDescriptors.MalformedWhere,
        DiagnosticDescriptors.WhereUnknownColumn,
        DiagnosticDescriptors.InvalidTypeName,
        DiagnosticDescriptors.UndefinedMode,
        DiagnosticDescriptors.InvalidChannel,
        DiagnosticDescriptors.ChannelsDiffer);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(Analyze, SymbolKind.NamedType);
    }

    private static void Analyze(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!TableParser.HasAttribute(type, KnownTypes.IsReplicate))
        {
            return;
        }

        var problems = new List<Problem>();
        TableParser.Inspect(type, problems, context.CancellationToken);
        var fallback = TableParser.FirstLocation(type) ?? Location.None;
        foreach (var problem in problems)
        {
            context.ReportDiagnostic(problem.ToDiagnostic(fallback));
        }
    }
}
