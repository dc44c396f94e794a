using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RoslynPgSync.Generator.Diagnostics;
using RoslynPgSync.Generator.Model;
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
        DiagnosticDescriptors.ChannelsDiffer,
        DiagnosticDescriptors.UndefinedConflicts,
        DiagnosticDescriptors.InvalidVersionMember,
        DiagnosticDescriptors.MultiMasterApplyRemote);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // Every [Replicate] type of the compilation inspected once, on the first type's turn: a pair
            // (PGSYNC019) is two types, and each side's warning belongs to its own attribute (a local
            // diagnostic, which the IDE shows as you type and the code fix can fix).
            var compilation = start.Compilation;
            var cancellation = start.CancellationToken;
            var index = new Lazy<Dictionary<INamedTypeSymbol, Inspection>>(() => InspectAll(compilation, cancellation), LazyThreadSafetyMode.ExecutionAndPublication);
            start.RegisterSymbolAction(c => Analyze(c, index.Value), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, Dictionary<INamedTypeSymbol, Inspection> index)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!index.TryGetValue(type, out var inspection))
        {
            return;
        }

        var fallback = TableParser.FirstLocation(type) ?? Location.None;
        foreach (var problem in inspection.Problems)
        {
            context.ReportDiagnostic(problem.ToDiagnostic(fallback));
        }

        if (inspection.Model is { } model)
        {
            ReportPairs(context, type, model, index);
        }
    }

    /// <summary>Every [Replicate] type declared in the compilation (nested ones too), inspected.</summary>
    private static Dictionary<INamedTypeSymbol, Inspection> InspectAll(Compilation compilation, CancellationToken ct)
    {
        var index = new Dictionary<INamedTypeSymbol, Inspection>(SymbolEqualityComparer.Default);
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var current = pending.Pop();
            if (current is INamespaceSymbol ns)
            {
                foreach (var member in ns.GetNamespaceMembers())
                {
                    pending.Push(member);
                }
            }

            foreach (var type in current.GetTypeMembers())
            {
                pending.Push(type);
                if (TableParser.HasAttribute(type, KnownTypes.IsReplicate))
                {
                    var problems = new List<Problem>();
                    var model = TableParser.Inspect(type, problems, ct);
                    index[type] = new Inspection(model, problems);
                }
            }
        }

        return index;
    }

    /// <summary>
    /// A multi-master pair: a type replicating its table to a target whose own type replicates that table
    /// back (two databases writing one table). Each of its targets that keeps ApplyRemote is warned: with it
    /// the same key written on both nodes before replay swaps values. (A type whose target has its own name
    /// may be a one-way copy as well as one side of a pair deployed twice: that says nothing, so no warning.)
    /// </summary>
    private static void ReportPairs(SymbolAnalysisContext context, INamedTypeSymbol type, TableModel model, Dictionary<INamedTypeSymbol, Inspection> index)
    {
        var attributes = ReplicateAttributes(type);
        for (var i = 0; i < model.Targets.Count && i < attributes.Count; i++)
        {
            var target = model.Targets[i];
            if (target.Conflicts != Conflicts.ApplyRemote)
            {
                continue;
            }

            foreach (var entry in index)
            {
                if (entry.Value.Model is not { } other || SymbolEqualityComparer.Default.Equals(entry.Key, type) ||
                    other.SourceSchema != target.Schema || other.SourceTable != target.Table || BackTo(other, model) is not { } back)
                {
                    continue;
                }

                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.MultiMasterApplyRemote,
                    attributes[i].ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? Location.None,
                    type.Name,
                    model.SourceSchema + "." + model.SourceTable,
                    "\"" + target.Server + "\"",
                    entry.Key.Name,
                    "\"" + back.Server + "\""));
                break;
            }
        }
    }

    /// <summary>The target of <paramref name="other"/> that is <paramref name="model"/>'s own table, if any.</summary>
    private static TargetModel? BackTo(TableModel other, TableModel model)
    {
        foreach (var target in other.Targets)
        {
            if (target.Schema == model.SourceSchema && target.Table == model.SourceTable)
            {
                return target;
            }
        }

        return null;
    }

    /// <summary>One type's inspection: its model when valid, and its problems.</summary>
    private sealed class Inspection(TableModel? model, List<Problem> problems)
    {
        public TableModel? Model { get; } = model;

        public List<Problem> Problems { get; } = problems;
    }

    /// <summary>The type's [Replicate] attributes in declaration order: one per target of a valid model.</summary>
    private static List<AttributeData> ReplicateAttributes(INamedTypeSymbol type)
    {
        var attributes = new List<AttributeData>();
        foreach (var attribute in type.GetAttributes())
        {
            if (KnownTypes.IsReplicate(attribute.AttributeClass))
            {
                attributes.Add(attribute);
            }
        }

        return attributes;
    }
}
