using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
        DiagnosticDescriptors.MultiMasterApplyRemote,
        DiagnosticDescriptors.UnresolvableConflicts,
        DiagnosticDescriptors.ForwardNeedsAsync);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // A pair (PGSYNC019) is two types, and each side's warning belongs to its own attribute (a local
            // diagnostic, which the IDE shows as you type and the code fix can fix). So every type is
            // inspected on its own turn, concurrently, and finds the other side through an index of the
            // compilation's [Replicate] types by table name, built once from their [Table] attributes alone,
            // here, before any type's turn (lazily, every other analysis thread would wait for it).
            var bySource = IndexBySource(start.Compilation, start.CancellationToken);
            var others = new ConcurrentDictionary<INamedTypeSymbol, TableModel?>(SymbolEqualityComparer.Default);
            start.RegisterSymbolAction(c => Analyze(c, bySource, others), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, Dictionary<string, List<TypeDeclarationSyntax>> bySource, ConcurrentDictionary<INamedTypeSymbol, TableModel?> others)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!TableParser.HasAttribute(type, KnownTypes.IsReplicate))
        {
            return;
        }

        var problems = new List<Problem>();
        var model = TableParser.Inspect(type, problems, context.CancellationToken);
        var fallback = TableParser.FirstLocation(type) ?? Location.None;
        foreach (var problem in problems)
        {
            context.ReportDiagnostic(problem.ToDiagnostic(fallback));
        }

        if (model is not null)
        {
            ReportPairs(context, type, model, bySource, others);
        }
    }

    /// <summary>
    /// Every class declaration of the compilation that carries an attribute named Replicate, by the table
    /// name its [Table] gives (a string literal), or its snake_case class name without one; under "" when
    /// [Table] names it otherwise (a constant), so that it stays a candidate for every table. From syntax
    /// alone: nothing is bound for the types no pair involves (ReportPairs checks the candidates'
    /// models), and a cold build pays no semantic pass over every type before the analysis starts.
    /// </summary>
    private static Dictionary<string, List<TypeDeclarationSyntax>> IndexBySource(Compilation compilation, CancellationToken ct)
    {
        var index = new Dictionary<string, List<TypeDeclarationSyntax>>(StringComparer.Ordinal);
        foreach (var tree in compilation.SyntaxTrees)
        {
            foreach (var node in tree.GetRoot(ct).DescendantNodes(static n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
            {
                if (node is not (ClassDeclarationSyntax or RecordDeclarationSyntax) || !HasAttributeNamed((TypeDeclarationSyntax)node, "Replicate"))
                {
                    continue;
                }

                var declaration = (TypeDeclarationSyntax)node;
                var key = SnakeCase.Convert(declaration.Identifier.ValueText);
                foreach (var list in declaration.AttributeLists)
                {
                    foreach (var attribute in list.Attributes)
                    {
                        if (IsNamed(attribute, "Table"))
                        {
                            key = attribute.ArgumentList?.Arguments.FirstOrDefault() is { NameEquals: null, NameColon: null, Expression: LiteralExpressionSyntax literal } &&
                                  literal.IsKind(SyntaxKind.StringLiteralExpression)
                                ? literal.Token.ValueText
                                : string.Empty;
                        }
                    }
                }

                if (!index.TryGetValue(key, out var declarations))
                {
                    index[key] = declarations = new List<TypeDeclarationSyntax>();
                }

                declarations.Add(declaration);
            }
        }

        return index;
    }

    private static bool HasAttributeNamed(TypeDeclarationSyntax declaration, string name)
    {
        foreach (var list in declaration.AttributeLists)
        {
            foreach (var attribute in list.Attributes)
            {
                if (IsNamed(attribute, name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary><c>[Name]</c>, <c>[NameAttribute]</c>, qualified or not.</summary>
    private static bool IsNamed(AttributeSyntax attribute, string name)
    {
        var text = attribute.Name switch
        {
            QualifiedNameSyntax q => q.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => string.Empty,
        };
        return text == name || text == name + "Attribute";
    }

    /// <summary>
    /// A multi-master pair: a type replicating its table to a target whose own type replicates that table
    /// back (two databases writing one table). Each of its targets that keeps ApplyRemote is warned: with it
    /// the same key written on both nodes before replay swaps values. (A type whose target has its own name
    /// may be a one-way copy as well as one side of a pair deployed twice: that says nothing, so no warning.)
    /// The other side's model is inspected once per compilation, only for a type whose table is a target.
    /// </summary>
    private static void ReportPairs(
        SymbolAnalysisContext context,
        INamedTypeSymbol type,
        TableModel model,
        Dictionary<string, List<TypeDeclarationSyntax>> bySource,
        ConcurrentDictionary<INamedTypeSymbol, TableModel?> others)
    {
        var attributes = ReplicateAttributes(type);
        for (var i = 0; i < model.Targets.Count && i < attributes.Count; i++)
        {
            var target = model.Targets[i];
            if (target.Conflicts != Conflicts.ApplyRemote)
            {
                continue;
            }

            foreach (var otherType in Candidates(context.Compilation, bySource, target.Table, type))
            {
                if (SymbolEqualityComparer.Default.Equals(otherType, type) ||
                    others.GetOrAdd(otherType, t => TableParser.Inspect(t, null, context.CancellationToken)) is not { } other ||
                    other.SourceSchema != target.Schema || other.SourceTable != target.Table ||
                    BackTo(other, model) is not { } back)
                {
                    continue;
                }

                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.MultiMasterApplyRemote,
                    attributes[i].ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? Location.None,
                    type.Name,
                    model.SourceSchema + "." + model.SourceTable,
                    "\"" + target.Server + "\"",
                    otherType.Name,
                    "\"" + back.Server + "\""));
                break;
            }
        }
    }

    /// <summary>
    /// The types that may map <paramref name="table"/>: those declared with that name for it, and those whose
    /// name the syntax does not tell (found by name in the compilation's declarations, nothing bound).
    /// </summary>
    private static IEnumerable<INamedTypeSymbol> Candidates(Compilation compilation, Dictionary<string, List<TypeDeclarationSyntax>> bySource, string table, INamedTypeSymbol self)
    {
        var declarations = new List<TypeDeclarationSyntax>();
        if (bySource.TryGetValue(table, out var named))
        {
            declarations.AddRange(named);
        }

        if (table.Length > 0 && bySource.TryGetValue(string.Empty, out var unknown))
        {
            declarations.AddRange(unknown);
        }

        var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var declaration in declarations)
        {
            // (Most targets keep their own table's name: then the one candidate is the type itself.)
            if (self.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == declaration.SyntaxTree && r.Span == declaration.Span))
            {
                continue;
            }

            foreach (var symbol in compilation.GetSymbolsWithName(declaration.Identifier.ValueText, SymbolFilter.Type))
            {
                if (symbol is INamedTypeSymbol type &&
                    type.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == declaration.SyntaxTree && r.Span == declaration.Span) &&
                    seen.Add(type))
                {
                    yield return type;
                }
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
