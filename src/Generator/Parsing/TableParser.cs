using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using RoslynPgSync.Generator.Diagnostics;
using RoslynPgSync.Generator.Model;
using RoslynPgSync.Sql;

namespace RoslynPgSync.Generator.Parsing;

/// <summary>
/// Turns a <c>[Replicate]</c> type into a <see cref="TableModel"/>, following DataAnnotations and EF Core
/// conventions. Returns <c>null</c> for a type that cannot be modelled: the generator then emits
/// nothing for it and the analyzers say why.
/// </summary>
internal static class TableParser
{
    private const string DefaultSchema = "public";

    public static TableModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || !IsFirstAnnotatedDeclaration(type, context.TargetNode))
        {
            return null;
        }

        return Inspect(type, problems: null, cancellationToken);
    }

    /// <summary>
    /// Builds the model of <paramref name="type"/>, adding to <paramref name="problems"/> (when given)
    /// everything that keeps it from replicating. The generator passes no list and gets <c>null</c>
    /// for an invalid type; the analyzer passes one and reports it. One inspection serves both.
    /// </summary>
    public static TableModel? Inspect(INamedTypeSymbol type, List<Problem>? problems, CancellationToken cancellationToken)
    {
        var sink = new ProblemSink(problems, type);
        if (UnsupportedReason(type) is { } reason)
        {
            sink.Add(DiagnosticDescriptors.UnsupportedType, null, type.Name, reason);
            return null;
        }

        var (schema, table) = ReadTableName(type);
        sink.CheckIdentifier("schema", schema, null);
        sink.CheckIdentifier("table name", table, null);

        var columns = new List<ColumnDraft>();
        foreach (var property in MappedProperties(type))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReadColumn(property, sink) is { } column)
            {
                columns.Add(column);
            }
        }

        var names = new Dictionary<string, ColumnDraft>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (names.TryGetValue(column.ColumnName, out var first))
            {
                sink.Add(DiagnosticDescriptors.DuplicateColumn, column.Location, type.Name, first.MemberName, column.MemberName, column.ColumnName);
            }
            else
            {
                names[column.ColumnName] = column;
            }
        }

        var key = KeyResolver.Resolve(type, columns, sink);
        foreach (var keyColumn in key ?? new List<ColumnDraft>())
        {
            if (keyColumn.IsDeclaredNullable)
            {
                sink.Add(DiagnosticDescriptors.InvalidKeyMember, keyColumn.Location, type.Name, keyColumn.MemberName, "is nullable; a primary key column is never NULL");
            }
            else if (!PgTypeMap.CanBeKey(keyColumn.PgType))
            {
                sink.Add(DiagnosticDescriptors.InvalidKeyMember, keyColumn.Location, type.Name, keyColumn.MemberName, "has type " + keyColumn.PgType + ", which PostgreSQL cannot compare with = in a primary key");
            }
        }

        var version = ReadVersion(type, columns, key, sink);
        var targets = ReadTargets(type, schema, table, columns, sink);
        if (sink.HasErrors || key is null || targets is null || columns.Count == 0)
        {
            return null;
        }

        // Loops rather than LINQ over value types here and below: each such instantiation is JIT-compiled
        // in every cold build, and there the compiler reports it as the generator's time.
        var keySet = new HashSet<ColumnDraft>(key);
        var columnModels = new ColumnModel[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var c = columns[i];
            var isKey = keySet.Contains(c);
            columnModels[i] = new ColumnModel(c.MemberName, c.ColumnName, c.PgType, c.IsNullable && !isKey, isKey);
        }

        var keyColumns = new string[key.Count];
        var pkVector = new int[key.Count];
        for (var i = 0; i < key.Count; i++)
        {
            keyColumns[i] = key[i].ColumnName;
            pkVector[i] = columns.IndexOf(key[i]) + 1;
        }

        return new TableModel(
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString(),
            TypeName: TypeNameWithContainers(type),
            FullyQualifiedTypeName: type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            SourceSchema: schema,
            SourceTable: table,
            Columns: new EquatableArray<ColumnModel>(columnModels),
            KeyColumns: new EquatableArray<string>(keyColumns),
            PkVector: new EquatableArray<int>(pkVector),
            Targets: new EquatableArray<TargetModel>(targets),
            VersionColumn: version?.ColumnName);
    }

    /// <summary>
    /// The member marked <c>[ConcurrencyCheck]</c> or <c>[Timestamp]</c> (EF Core's optimistic-concurrency
    /// convention), which orders a row's writes for conflicts: one per type, not part of the key, never
    /// NULL, of a type that orders (an integer, numeric or a timestamp) and its own column (not xmin).
    /// </summary>
    private static ColumnDraft? ReadVersion(INamedTypeSymbol type, List<ColumnDraft> columns, List<ColumnDraft>? key, ProblemSink sink)
    {
        ColumnDraft? version = null;
        foreach (var column in columns)
        {
            if (!column.IsVersion)
            {
                continue;
            }

            string? problem = null;
            if (version is not null)
            {
                problem = "is a second version member (the first is '" + version.MemberName + "'); a row has one version";
            }
            else if (key is not null && key.Contains(column))
            {
                problem = "is part of the primary key, which a write never changes";
            }
            else if (column.ColumnName == "xmin")
            {
                problem = "maps to xmin, each node's own transaction id, which does not order writes made on different nodes";
            }
            else if (column.IsDeclaredNullable)
            {
                problem = "is nullable; a version that can be NULL orders nothing";
            }
            else if (!PgTypeMap.CanVersion(column.PgType))
            {
                problem = "has type " + column.PgType + ", which does not order writes: use an integer, numeric or timestamp member";
            }

            if (problem is null)
            {
                version = column;
            }
            else
            {
                sink.Add(DiagnosticDescriptors.InvalidVersionMember, column.Location, type.Name, column.MemberName, problem);
            }
        }

        return version;
    }

    /// <summary>
    /// <c>ForAttributeWithMetadataName</c> reports each partial declaration that carries the attribute;
    /// only the one with the first attribute (by file path, then position) produces the model.
    /// </summary>
    private static bool IsFirstAnnotatedDeclaration(INamedTypeSymbol type, SyntaxNode targetNode)
    {
        SyntaxReference? first = null;
        foreach (var attribute in type.GetAttributes())
        {
            if (!KnownTypes.IsReplicate(attribute.AttributeClass) || attribute.ApplicationSyntaxReference is not { } reference)
            {
                continue;
            }

            if (first is null || Compare(reference, first) < 0)
            {
                first = reference;
            }
        }

        return first is null ||
               (first.SyntaxTree == targetNode.SyntaxTree && targetNode.FullSpan.Contains(first.Span));

        static int Compare(SyntaxReference a, SyntaxReference b)
        {
            var byPath = string.CompareOrdinal(a.SyntaxTree.FilePath, b.SyntaxTree.FilePath);
            return byPath != 0 ? byPath : a.Span.Start.CompareTo(b.Span.Start);
        }
    }

    /// <summary>Why generated code (another class of the same assembly) cannot name the type, or null.</summary>
    private static string? UnsupportedReason(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Class)
        {
            return "it is not a class or record class";
        }

        if (type.IsStatic)
        {
            return "it is static";
        }

        if (type.IsAbstract)
        {
            return "it is abstract; mark the concrete class instead";
        }

        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsGenericType)
            {
                return SymbolEqualityComparer.Default.Equals(current, type) ? "it is generic" : "it is nested in generic type '" + current.Name + "'";
            }

            if (current.IsFileLocal)
            {
                return "it is file-local";
            }

            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return SymbolEqualityComparer.Default.Equals(current, type) ? "it is not public or internal" : "its containing type '" + current.Name + "' is not public or internal";
            }
        }

        return null;
    }

    internal static (string Schema, string Table) ReadTableName(INamedTypeSymbol type)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (!KnownTypes.IsTable(attribute.AttributeClass))
            {
                continue;
            }

            var name = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
            var schema = NamedString(attribute, "Schema");
            return (schema ?? DefaultSchema, name ?? SnakeCase.Convert(type.Name));
        }

        return (DefaultSchema, SnakeCase.Convert(type.Name));
    }

    /// <summary>Public instance properties with a getter, base class members first, as EF Core maps them.</summary>
    private static List<IPropertySymbol> MappedProperties(INamedTypeSymbol type)
    {
        var chain = new Stack<INamedTypeSymbol>();
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            chain.Push(current);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var declared = new List<IPropertySymbol>();
        while (chain.Count > 0)
        {
            foreach (var member in chain.Pop().GetMembers())
            {
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod: not null } property &&
                    !HasAttribute(property, KnownTypes.IsNotMapped))
                {
                    // An override or `new` member replaces the base one in place.
                    var index = IndexOfName(declared, property.Name);
                    if (index >= 0)
                    {
                        declared[index] = property;
                    }
                    else if (seen.Add(property.Name))
                    {
                        declared.Add(property);
                    }
                }
            }
        }

        return declared;
    }

    /// <summary>Whether <paramref name="symbol"/> carries an attribute that <paramref name="isKind"/> accepts.</summary>
    public static bool HasAttribute(ISymbol symbol, Func<INamedTypeSymbol?, bool> isKind) => FindAttribute(symbol, isKind) is not null;

    /// <summary>The first attribute of <paramref name="symbol"/> that <paramref name="isKind"/> accepts, or null.</summary>
    public static AttributeData? FindAttribute(ISymbol symbol, Func<INamedTypeSymbol?, bool> isKind)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (isKind(attribute.AttributeClass))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>The first location of <paramref name="symbol"/>, or null.</summary>
    public static Location? FirstLocation(ISymbol symbol)
    {
        var locations = symbol.Locations;
        return locations.Length > 0 ? locations[0] : null;
    }

    private static int IndexOfName(List<IPropertySymbol> properties, string name)
    {
        for (var i = 0; i < properties.Count; i++)
        {
            if (properties[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static ColumnDraft? ReadColumn(IPropertySymbol property, ProblemSink sink)
    {
        var location = FirstLocation(property);
        string? name = null;
        string? typeName = null;
        int? order = null;
        var isKey = false;
        var isVersion = false;
        var isRequired = false;
        int? maxLength = null;
        int? precision = null;
        int? scale = null;

        foreach (var attribute in property.GetAttributes())
        {
            var attributeClass = attribute.AttributeClass;
            if (KnownTypes.IsColumn(attributeClass))
            {
                name = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
                typeName = NamedString(attribute, "TypeName");
                order = NamedInt(attribute, "Order");
            }
            else if (KnownTypes.IsKey(attributeClass))
            {
                isKey = true;
            }
            else if (KnownTypes.IsRequired(attributeClass))
            {
                isRequired = true;
            }
            else if (KnownTypes.IsVersion(attributeClass))
            {
                isVersion = true;
            }
            else if (KnownTypes.IsMaxLength(attributeClass) && attribute.ConstructorArguments.Length > 0 &&
                     attribute.ConstructorArguments[0].Value is int length && length > 0)
            {
                maxLength = length;
            }
            else if (KnownTypes.IsPrecision(attributeClass) && attribute.ConstructorArguments.Length > 0 &&
                     attribute.ConstructorArguments[0].Value is int p)
            {
                precision = p;
                scale = attribute.ConstructorArguments.Length > 1 ? attribute.ConstructorArguments[1].Value as int? : null;
            }
        }

        var mapped = PgTypeMap.Map(property.Type, out var isNullableValueType);
        string pgType;
        if (typeName is not null)
        {
            if (!PgTypeMap.IsPlausibleTypeName(typeName))
            {
                sink.Add(DiagnosticDescriptors.InvalidTypeName, location, property.ContainingType.Name, property.Name, typeName);
                return null;
            }

            pgType = typeName.Trim();
        }
        else if (mapped is null)
        {
            sink.Add(DiagnosticDescriptors.UnmappableMember, location, property.ContainingType.Name, property.Name, property.Type.ToDisplayString());
            return null;
        }
        else
        {
            pgType = Refine(mapped, maxLength, precision, scale);
        }

        var columnName = name ?? SnakeCase.Convert(property.Name);
        if (!sink.CheckIdentifier("column", columnName, location))
        {
            return null;
        }

        var isNullable = !isRequired && (isNullableValueType ||
            (property.Type.IsReferenceType && property.NullableAnnotation != NullableAnnotation.NotAnnotated));
        // Only a declared nullable (T? or Nullable<T>) disqualifies a key member; an oblivious
        // reference type in a nullable-disabled context is a NOT NULL key, as EF Core makes it.
        var declaredNullable = isNullableValueType || property.NullableAnnotation == NullableAnnotation.Annotated;
        return new ColumnDraft(property.Name, columnName, pgType, isNullable, isKey, order, location) { IsDeclaredNullable = declaredNullable, IsVersion = isVersion };
    }

    /// <summary>[MaxLength]/[StringLength] on text and [Precision] on numeric, as EF Core's Npgsql provider maps them.</summary>
    private static string Refine(string mapped, int? maxLength, int? precision, int? scale)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (mapped == "text" && maxLength is { } length)
        {
            return "character varying(" + length.ToString(invariant) + ")";
        }

        if (mapped == "numeric" && precision is { } p)
        {
            return scale is { } s
                ? "numeric(" + p.ToString(invariant) + "," + s.ToString(invariant) + ")"
                : "numeric(" + p.ToString(invariant) + ")";
        }

        return mapped;
    }

    private static List<TargetModel>? ReadTargets(INamedTypeSymbol type, string sourceSchema, string sourceTable, List<ColumnDraft> columns, ProblemSink sink)
    {
        var targets = new List<TargetModel>();
        // server, schema and table joined by NUL, which none of them contains once checked.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var channels = new Dictionary<string, string>(StringComparer.Ordinal); // server -> channel
        foreach (var attribute in type.GetAttributes())
        {
            if (!KnownTypes.IsReplicate(attribute.AttributeClass))
            {
                continue;
            }

            var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();
            var server = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
            var schema = NamedString(attribute, "TargetSchema") ?? sourceSchema;
            var table = NamedString(attribute, "TargetTable") ?? sourceTable;
            var modeValue = NamedInt(attribute, "Mode") ?? 0;
            var mode = QueueModes.FromValue(modeValue);
            var where = NamedString(attribute, "Where");
            var channel = NamedString(attribute, "Channel") ?? string.Empty;
            var conflictsValue = NamedInt(attribute, "Conflicts") ?? 0;
            var conflicts = ConflictPolicies.FromValue(conflictsValue);
            var forward = NamedBool(attribute, "Forward") ?? false;
            var valid = true;
            if (forward && mode is not null and not QueueMode.Async)
            {
                sink.Add(DiagnosticDescriptors.ForwardNeedsAsync, location, type.Name, server ?? string.Empty, mode.Value.ToString());
                valid = false;
            }

            if (conflicts is null)
            {
                sink.Add(DiagnosticDescriptors.UndefinedConflicts, location, type.Name, server ?? string.Empty, conflictsValue);
                valid = false;
            }

            if (NamedString(attribute, "Channel") is { } named && Channels.Problem(named) is { } channelProblem)
            {
                sink.Add(DiagnosticDescriptors.InvalidChannel, location, type.Name, server ?? string.Empty, named, channelProblem);
                valid = false;
            }
            if (PgSql.IdentifierProblem(server) is { } serverProblem)
            {
                sink.Add(DiagnosticDescriptors.InvalidServer, location, type.Name, server ?? string.Empty, serverProblem);
                valid = false;
            }

            valid &= sink.CheckIdentifier("target schema", schema, location);
            valid &= sink.CheckIdentifier("target table", table, location);
            if (mode is null)
            {
                sink.Add(DiagnosticDescriptors.UndefinedMode, location, type.Name, server ?? string.Empty, modeValue);
                valid = false;
            }

            if (where is not null && where.Trim().Length > 0)
            {
                if (WhereClause.Problem(where) is { } whereProblem)
                {
                    sink.Add(DiagnosticDescriptors.MalformedWhere, location, type.Name, server ?? string.Empty, whereProblem);
                    valid = false;
                }
                else
                {
                    foreach (var unknown in WhereColumns.Unknown(where, columns.Select(c => c.ColumnName)))
                    {
                        sink.Add(DiagnosticDescriptors.WhereUnknownColumn, location, type.Name, server ?? string.Empty, unknown);
                    }
                }
            }

            if (valid && conflicts != Conflicts.ApplyRemote &&
                ConflictSql.Problem(mode!.Value, string.IsNullOrWhiteSpace(where) ? null : where, columns.Select(c => c.ColumnName)) is { } stampProblem)
            {
                sink.Add(DiagnosticDescriptors.UnresolvableConflicts, location, type.Name, server!, conflicts!.Value.ToString(), stampProblem);
                valid = false;
            }

            if (valid && !seen.Add(server + "\0" + schema + "\0" + table))
            {
                sink.Add(DiagnosticDescriptors.DuplicateTarget, location, type.Name, server!, schema, table);
                valid = false;
            }

            if (valid && channels.TryGetValue(server!, out var other) && other != channel)
            {
                sink.Add(DiagnosticDescriptors.ChannelsDiffer, location, type.Name, server!, Channels.Describe(other), Channels.Describe(channel));
                valid = false;
            }

            if (valid)
            {
                channels[server!] = channel;
                targets.Add(new TargetModel(server!, schema, table, mode!.Value, string.IsNullOrWhiteSpace(where) ? null : where!.Trim(), channel, conflicts!.Value, forward));
            }
        }

        return targets.Count == 0 ? null : targets;
    }


    private static string? NamedString(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name)
            {
                return argument.Value.Value as string;
            }
        }

        return null;
    }

    private static bool? NamedBool(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is bool value)
            {
                return value;
            }
        }

        return null;
    }

    private static int? NamedInt(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is int value)
            {
                return value;
            }
        }

        return null;
    }

    private static string TypeNameWithContainers(INamedTypeSymbol type) =>
        type.ContainingType is null ? type.Name : TypeNameWithContainers(type.ContainingType) + "." + type.Name;
}
