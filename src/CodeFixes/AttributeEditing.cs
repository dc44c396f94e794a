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

    /// <summary><c>name = Type.Member</c>, as an attribute's named argument.</summary>
    public static AttributeArgumentSyntax Named(string name, string type, string member) =>
        SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(name)),
            null,
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(type), SyntaxFactory.IdentifierName(member)));

    /// <summary>The attribute with its named argument <paramref name="argument"/> set: replaced when given, else added last.</summary>
    public static AttributeSyntax WithNamed(AttributeSyntax attribute, AttributeArgumentSyntax argument)
    {
        var name = argument.NameEquals!.Name.Identifier.Text;
        var arguments = attribute.ArgumentList?.Arguments ?? default;
        var existing = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == name);
        var updated = existing is null ? arguments.Add(argument) : arguments.Replace(existing, argument.WithTriviaFrom(existing));
        return attribute.WithArgumentList(SyntaxFactory.AttributeArgumentList(updated));
    }

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
