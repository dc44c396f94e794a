using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RoslynPgSync.CodeFixes;

/// <summary>Adds attributes (and the using directive they need) the way a developer would write them.</summary>
internal static class AttributeEditing
{
    public const string DataAnnotations = "System.ComponentModel.DataAnnotations";
    public const string DataAnnotationsSchema = "System.ComponentModel.DataAnnotations.Schema";

    public static PropertyDeclarationSyntax AddAttribute(PropertyDeclarationSyntax property, AttributeSyntax attribute) =>
        property.AddAttributeLists(SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
                .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
                .WithTrailingTrivia(SyntaxFactory.ElasticMarker))
            .WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);

    public static AttributeSyntax Attribute(string name, params AttributeArgumentSyntax[] arguments) =>
        arguments.Length == 0
            ? SyntaxFactory.Attribute(SyntaxFactory.IdentifierName(name))
            : SyntaxFactory.Attribute(SyntaxFactory.IdentifierName(name), SyntaxFactory.AttributeArgumentList(SyntaxFactory.SeparatedList(arguments)));

    public static AttributeArgumentSyntax Named(string name, int value) =>
        SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(name),
            null,
            SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value)));

    /// <summary>Adds <c>using <paramref name="namespace"/>;</c> unless the file already has it.</summary>
    public static SyntaxNode EnsureUsing(SyntaxNode root, string @namespace)
    {
        if (root is not CompilationUnitSyntax unit || unit.Usings.Any(u => u.Name?.ToString() == @namespace))
        {
            return root;
        }

        return unit.AddUsings(SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(@namespace)).WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed));
    }

    /// <summary>Whether <paramref name="property"/> has an attribute named <paramref name="name"/> (with or without "Attribute").</summary>
    public static AttributeSyntax? Find(PropertyDeclarationSyntax property, string name) =>
        property.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(a =>
        {
            var text = a.Name.ToString();
            var last = text.Substring(text.LastIndexOf('.') + 1);
            return last == name || last == name + "Attribute";
        });
}
