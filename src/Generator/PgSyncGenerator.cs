using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RoslynPgSync.Generator.Emit;
using RoslynPgSync.Generator.Model;
using RoslynPgSync.Generator.Parsing;

namespace RoslynPgSync.Generator;

/// <summary>
/// Turns every <c>[Replicate]</c> type into data for <c>RoslynPgSync.Generated.PgSyncInstaller</c>.
/// The pipeline, and nothing else: parsing, SQL and emitting live beside it.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PgSyncGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked pipeline steps, asserted by the caching tests.</summary>
    public static class Steps
    {
        /// <summary>Symbol → <see cref="TableModel"/> for each annotated type.</summary>
        public const string Tables = "PgSync.Tables";

        /// <summary>The valid models only.</summary>
        public const string ValidTables = "PgSync.ValidTables";

        /// <summary>The ordered names that the <c>Tables</c> list needs.</summary>
        public const string TableNames = "PgSync.TableNames";

        /// <summary>Whether the compilation references the RoslynPgSync runtime.</summary>
        public const string RuntimeReferenced = "PgSync.RuntimeReferenced";
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var tables = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypes.ReplicateAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (ctx, ct) => TableParser.Parse(ctx, ct))
            .WithTrackingName(Steps.Tables);

        var valid = tables
            .Where(static t => t is not null)
            .Select(static (t, _) => t!)
            .WithTrackingName(Steps.ValidTables);

        context.RegisterSourceOutput(valid, static (spc, table) =>
            spc.AddSource(table.HintName, InstallerEmitter.EmitTable(table)));

        // Reference types only from here on (see InstallerModel): the table list is collected as it is and
        // sorted once, instead of through a per-table tuple.
        var names = valid
            .Collect()
            .Select(static (all, _) => new InstallerModel(new EquatableArray<string>(
                all.OrderBy(static t => t.HintName, StringComparer.Ordinal).Select(static t => t.MemberSuffix))))
            .WithTrackingName(Steps.TableNames);

        // The installer class is emitted whenever the runtime is referenced, even with no valid table,
        // so that calls to it compile and the user sees only the analyzers' diagnostics.
        var runtimeReferenced = context.CompilationProvider
            .Select(static (c, _) => c.GetTypeByMetadataName("RoslynPgSync.ReplicatedTable") is null ? RuntimeReference.Absent : RuntimeReference.Present)
            .WithTrackingName(Steps.RuntimeReferenced);

        context.RegisterSourceOutput(names.Combine(runtimeReferenced), static (spc, pair) =>
        {
            if (pair.Right == RuntimeReference.Present)
            {
                spc.AddSource(InstallerEmitter.InstallerHintName, InstallerEmitter.EmitInstaller(pair.Left.MemberSuffixes));
            }
        });
    }
}
