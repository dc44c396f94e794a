using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RoslynPgSync.Generator.Diagnostics;

namespace RoslynPgSync.CodeFixes;

/// <summary>
/// The obvious fixes: make a member the primary key (PGSYNC001), give a composite key its
/// <c>Column(Order = n)</c> in declaration order (PGSYNC002), mark an unmappable member
/// <c>[NotMapped]</c> (PGSYNC005), remove a duplicate <c>[Replicate]</c> (PGSYNC009), declare
/// <c>Conflicts = ConflictPolicy.LastWriterWins</c> on one side of a multi-master pair (PGSYNC019).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReplicateCodeFixProvider)), Shared]
public sealed class ReplicateCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticIds.NoPrimaryKey, DiagnosticIds.AmbiguousKeyOrder, DiagnosticIds.UnmappableMember, DiagnosticIds.DuplicateTarget,
        DiagnosticIds.MultiMasterApplyRemote);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            switch (diagnostic.Id)
            {
                case DiagnosticIds.NoPrimaryKey when node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type:
                    foreach (var property in KeyCandidates(type).Take(3))
                    {
                        var name = property.Identifier.Text;
                        context.RegisterCodeFix(
                            CodeAction.Create($"Make '{name}' the primary key ([Key])", ct => AddKeyAsync(context.Document, root, property), DiagnosticIds.NoPrimaryKey + ":" + name),
                            diagnostic);
                    }

                    break;
                case DiagnosticIds.AmbiguousKeyOrder when node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type:
                    context.RegisterCodeFix(
                        CodeAction.Create("Order the key with [Column(Order = n)] in declaration order", ct => OrderKeyAsync(context.Document, root, type), DiagnosticIds.AmbiguousKeyOrder),
                        diagnostic);
                    break;
                case DiagnosticIds.UnmappableMember when node.FirstAncestorOrSelf<PropertyDeclarationSyntax>() is { } property:
                    context.RegisterCodeFix(
                        CodeAction.Create($"Mark '{property.Identifier.Text}' [NotMapped]", ct => NotMappedAsync(context.Document, root, property), DiagnosticIds.UnmappableMember),
                        diagnostic);
                    break;
                case DiagnosticIds.MultiMasterApplyRemote when node.FirstAncestorOrSelf<AttributeSyntax>() is { } attribute:
                    context.RegisterCodeFix(
                        CodeAction.Create("Resolve conflicts by last writer wins (Conflicts = ConflictPolicy.LastWriterWins)", ct => LastWriterWinsAsync(context.Document, root, attribute), DiagnosticIds.MultiMasterApplyRemote),
                        diagnostic);
                    break;
                case DiagnosticIds.DuplicateTarget when node.FirstAncestorOrSelf<AttributeSyntax>() is { } attribute:
                    context.RegisterCodeFix(
                        CodeAction.Create("Remove the duplicate [Replicate]", ct => RemoveAsync(context.Document, root, attribute), DiagnosticIds.DuplicateTarget),
                        diagnostic);
                    break;
            }
        }
    }

    /// <summary>Public instance properties, those whose names look like keys first.</summary>
    private static IEnumerable<PropertyDeclarationSyntax> KeyCandidates(TypeDeclarationSyntax type) =>
        type.Members.OfType<PropertyDeclarationSyntax>()
            .Where(p => p.Modifiers.Any(SyntaxKind.PublicKeyword) && !p.Modifiers.Any(SyntaxKind.StaticKeyword) && AttributeEditing.Find(p, "NotMapped") is null)
            .OrderBy(p => LooksLikeKey(p.Identifier.Text) ? 0 : 1);

    private static bool LooksLikeKey(string name) =>
        name.EndsWith("Id", System.StringComparison.Ordinal) || name.EndsWith("Key", System.StringComparison.Ordinal) ||
        name.EndsWith("No", System.StringComparison.Ordinal) || name.EndsWith("Code", System.StringComparison.Ordinal);

    private static Task<Document> AddKeyAsync(Document document, SyntaxNode root, PropertyDeclarationSyntax property)
    {
        var updated = root.ReplaceNode(property, AttributeEditing.AddAttribute(property, AttributeEditing.Attribute("Key")));
        return Task.FromResult(document.WithSyntaxRoot(AttributeEditing.EnsureUsing(updated, AttributeEditing.DataAnnotations)));
    }

    private static Task<Document> OrderKeyAsync(Document document, SyntaxNode root, TypeDeclarationSyntax type)
    {
        var keys = type.Members.OfType<PropertyDeclarationSyntax>().Where(p => AttributeEditing.Find(p, "Key") is not null).ToList();
        var order = 0;
        var updated = root.ReplaceNodes(keys, (original, _) =>
        {
            var n = order++;
            if (AttributeEditing.Find(original, "Column") is { } column)
            {
                var arguments = column.ArgumentList?.Arguments.Where(a => a.NameEquals?.Name.Identifier.Text != "Order") ?? Enumerable.Empty<AttributeArgumentSyntax>();
                var replaced = column.WithArgumentList(SyntaxFactory.AttributeArgumentList(SyntaxFactory.SeparatedList(arguments.Append(AttributeEditing.Named("Order", n)))));
                return original.ReplaceNode(column, replaced);
            }

            // Beside [Key] in its list: [Key, Column(Order = n)], as composite keys are usually written.
            var key = AttributeEditing.Find(original, "Key")!;
            var list = (AttributeListSyntax)key.Parent!;
            return original.ReplaceNode(list, list.AddAttributes(AttributeEditing.Attribute("Column", AttributeEditing.Named("Order", n))));
        });
        return Task.FromResult(document.WithSyntaxRoot(AttributeEditing.EnsureUsing(updated, AttributeEditing.DataAnnotationsSchema)));
    }

    private static Task<Document> NotMappedAsync(Document document, SyntaxNode root, PropertyDeclarationSyntax property)
    {
        var updated = root.ReplaceNode(property, AttributeEditing.AddAttribute(property, AttributeEditing.Attribute("NotMapped")));
        return Task.FromResult(document.WithSyntaxRoot(AttributeEditing.EnsureUsing(updated, AttributeEditing.DataAnnotationsSchema)));
    }

    private static Task<Document> LastWriterWinsAsync(Document document, SyntaxNode root, AttributeSyntax attribute)
    {
        var updated = root.ReplaceNode(attribute, AttributeEditing.WithNamed(attribute, AttributeEditing.Named("Conflicts", "ConflictPolicy", "LastWriterWins")));
        return Task.FromResult(document.WithSyntaxRoot(AttributeEditing.EnsureUsing(updated, "RoslynPgSync")));
    }

    private static Task<Document> RemoveAsync(Document document, SyntaxNode root, AttributeSyntax attribute)
    {
        var list = (AttributeListSyntax)attribute.Parent!;
        var updated = list.Attributes.Count == 1
            ? root.RemoveNode(list, SyntaxRemoveOptions.KeepNoTrivia)!
            : root.ReplaceNode(list, list.WithAttributes(list.Attributes.Remove(attribute)));
        return Task.FromResult(document.WithSyntaxRoot(updated));
    }
}
