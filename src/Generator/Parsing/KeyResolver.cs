using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using RoslynPgSync.Generator.Diagnostics;

namespace RoslynPgSync.Generator.Parsing;

/// <summary>
/// Finds the primary key the way EF Core does: <c>[Key]</c> members (ordered by <c>Column(Order)</c> when
/// there are several), else EF Core's <c>[PrimaryKey(...)]</c> on the type, else a member named
/// <c>Id</c> or <c>&lt;Type&gt;Id</c>. <c>null</c> (and a problem) when there is none or its order is ambiguous.
/// </summary>
internal static class KeyResolver
{
    public static List<ColumnDraft>? Resolve(INamedTypeSymbol type, List<ColumnDraft> columns, ProblemSink sink)
    {
        var keyed = columns.Where(c => c.HasKeyAttribute).ToList();
        if (keyed.Count == 1)
        {
            return keyed;
        }

        if (keyed.Count > 1)
        {
            // A composite key needs an explicit, unambiguous Column(Order) on every member.
            var unordered = keyed.FirstOrDefault(c => c.Order is null);
            if (unordered is not null || !DistinctOrders(keyed))
            {
                sink.Add(DiagnosticDescriptors.AmbiguousKeyOrder, unordered?.Location ?? keyed[0].Location, type.Name);
                return null;
            }

            // The orders are distinct, so an unstable sort gives OrderBy's order.
            keyed.Sort(static (a, b) => a.Order!.Value.CompareTo(b.Order!.Value));
            return keyed;
        }

        var primaryKey = TableParser.FindAttribute(type, KnownTypes.IsPrimaryKey);
        if (primaryKey is not null)
        {
            return FromPrimaryKeyAttribute(type, primaryKey, columns, sink);
        }

        var byConvention = columns.FirstOrDefault(c => c.MemberName == "Id") ??
            columns.FirstOrDefault(c => string.Equals(c.MemberName, "Id", StringComparison.OrdinalIgnoreCase)) ??
            columns.FirstOrDefault(c => string.Equals(c.MemberName, type.Name + "Id", StringComparison.OrdinalIgnoreCase));
        if (byConvention is null)
        {
            sink.Add(DiagnosticDescriptors.NoPrimaryKey, null, type.Name);
            return null;
        }

        return new List<ColumnDraft> { byConvention };
    }

    private static bool DistinctOrders(List<ColumnDraft> keyed)
    {
        var orders = new HashSet<int>();
        foreach (var column in keyed)
        {
            if (!orders.Add(column.Order!.Value))
            {
                return false;
            }
        }

        return true;
    }

    private static List<ColumnDraft>? FromPrimaryKeyAttribute(INamedTypeSymbol type, AttributeData attribute, List<ColumnDraft> columns, ProblemSink sink)
    {
        var names = new List<string>();
        foreach (var argument in attribute.ConstructorArguments)
        {
            if (argument.Kind == TypedConstantKind.Array)
            {
                names.AddRange(argument.Values.Select(v => v.Value as string).Where(v => v is not null)!);
            }
            else if (argument.Value is string name)
            {
                names.Add(name);
            }
        }

        var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();
        var key = new List<ColumnDraft>();
        foreach (var name in names)
        {
            // A name that is not a mapped member (missing or [NotMapped]) makes the key invalid.
            var column = columns.FirstOrDefault(c => c.MemberName == name);
            if (column is null)
            {
                sink.Add(DiagnosticDescriptors.PrimaryKeyMemberNotMapped, location, type.Name, name);
                return null;
            }

            if (key.Contains(column))
            {
                sink.Add(DiagnosticDescriptors.AmbiguousKeyOrder, location, type.Name);
                return null;
            }

            key.Add(column);
        }

        if (key.Count == 0)
        {
            sink.Add(DiagnosticDescriptors.NoPrimaryKey, location, type.Name);
            return null;
        }

        return key;
    }
}
