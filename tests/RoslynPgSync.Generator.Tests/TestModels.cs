namespace RoslynPgSync.Generator.Tests;

/// <summary>C# sources of representative models, compiled by the tests as a consumer's project.</summary>
internal static class TestModels
{
    /// <summary>EF Core's attributes, declared under their metadata names: the generator must not need EF.</summary>
    public const string EfCoreAttributes = """
        namespace Microsoft.EntityFrameworkCore
        {
            [System.AttributeUsage(System.AttributeTargets.Class)]
            public sealed class PrimaryKeyAttribute : System.Attribute
            {
                public PrimaryKeyAttribute(string propertyName, params string[] additionalPropertyNames) { }
            }

            [System.AttributeUsage(System.AttributeTargets.Property)]
            public sealed class PrecisionAttribute : System.Attribute
            {
                public PrecisionAttribute(int precision, int scale) { }
            }
        }
        """;

    /// <summary>The seed's table: composite key, remapped schema and table, Sync.</summary>
    public const string LocTest = """
        using System;
        using System.ComponentModel.DataAnnotations;
        using System.ComponentModel.DataAnnotations.Schema;
        using RoslynPgSync;

        namespace Seed;

        [Table("loc_test", Schema = "local")]
        [Replicate("dst", TargetSchema = "remote", TargetTable = "rmt_test", Mode = ReplicationMode.Sync)]
        public sealed class LocTest
        {
            [Key, Column(Order = 0)] public int Pk1 { get; set; }
            [Key, Column(Order = 1)] public string Pk2 { get; set; } = "";
            public string? Info { get; set; }
            public DateTime? CrtTime { get; set; }
            public DateTime? ModTime { get; set; }
        }
        """;

    /// <summary>A single key found by convention, no [Table]: snake_case of the type name in public.</summary>
    public const string SingleKeyByConvention = """
        using System;
        using RoslynPgSync;

        namespace Shop.Orders;

        [Replicate("warehouse")]
        public class OrderLine
        {
            public long Id { get; set; }
            public Guid OrderId { get; set; }
            public decimal UnitPrice { get; set; }
            public short Quantity { get; set; }
        }
        """;

    /// <summary>EF Core's [PrimaryKey] in a non-declaration order, a Where filter and two destinations.</summary>
    public const string TwoDestinationsWithWhere = """
        using System;
        using System.ComponentModel.DataAnnotations.Schema;
        using Microsoft.EntityFrameworkCore;
        using RoslynPgSync;

        namespace Billing;

        [Table("invoices", Schema = "billing")]
        [PrimaryKey(nameof(InvoiceNo), nameof(TenantId))]
        [Replicate("reporting", Where = "status <> 'draft'")]
        [Replicate("archive", TargetSchema = "archive", TargetTable = "invoices_2026", Mode = ReplicationMode.Strict)]
        public sealed class Invoice
        {
            public int TenantId { get; set; }
            public long InvoiceNo { get; set; }
            public string Status { get; set; } = "draft";
            [Precision(12, 2)] public decimal Total { get; set; }
            public DateTimeOffset IssuedAt { get; set; }
        }
        """;

    /// <summary>[NotMapped], renamed columns, TypeName overrides, [Required], [MaxLength] and a base class.</summary>
    public const string NotMappedAndRenamed = """
        using System;
        using System.ComponentModel.DataAnnotations;
        using System.ComponentModel.DataAnnotations.Schema;
        using RoslynPgSync;

        namespace Crm;

        public abstract class Audited
        {
            [Column("created_utc")] public DateTime CreatedAt { get; set; }
        }

        [Table("customer")]
        [Replicate("crm_replica", TargetTable = "customer_copy")]
        public sealed class Customer : Audited
        {
            [Key, Column("customer_no")] public int Number { get; set; }
            [Required, MaxLength(200)] public string? DisplayName { get; set; }
            [Column(TypeName = "jsonb")] public string? Preferences { get; set; }
            [Column("e_mail", TypeName = "citext")] public string? Email { get; set; }
            [NotMapped] public string Summary => DisplayName + " <" + Email + ">";
            [NotMapped] public object? Cache { get; set; }
        }
        """;

    /// <summary>Identifiers that need quoting everywhere: mixed case, spaces, quotes, reserved words, unicode.</summary>
    public const string AwkwardIdentifiers = """
        using System.ComponentModel.DataAnnotations;
        using System.ComponentModel.DataAnnotations.Schema;
        using RoslynPgSync;

        namespace Awkward;

        [Table("Order Items \"v2\"", Schema = "Select")]
        [Replicate("dst-1", TargetSchema = "from", TargetTable = "weird\"name; drop table x; --")]
        public sealed class OrderItem
        {
            [Key, Column("Order", Order = 1)] public int Order { get; set; }
            [Key, Column("user", Order = 0)] public string User { get; set; } = "";
            [Column("Größe \\ \"x\"")] public string? Size { get; set; }
            [Column("group")] public int? Group { get; set; }
        }
        """;

    /// <summary>Every CLR type of the default map, plain and nullable.</summary>
    public const string AllTypes = """
        using System;
        using System.ComponentModel.DataAnnotations;
        using RoslynPgSync;

        namespace Types;

        public enum Color { Red, Green }
        public enum Small : byte { A, B }

        [Replicate("dst")]
        public sealed class Everything
        {
            [Key] public Guid Key { get; set; }
            public int Int { get; set; }
            public int? IntN { get; set; }
            public long Long { get; set; }
            public long? LongN { get; set; }
            public short Short { get; set; }
            public short? ShortN { get; set; }
            public bool Bool { get; set; }
            public bool? BoolN { get; set; }
            public decimal Decimal { get; set; }
            public decimal? DecimalN { get; set; }
            public double Double { get; set; }
            public double? DoubleN { get; set; }
            public float Float { get; set; }
            public float? FloatN { get; set; }
            public string Text { get; set; } = "";
            public string? TextN { get; set; }
            public Guid? GuidN { get; set; }
            public DateTime DateTime { get; set; }
            public DateTime? DateTimeN { get; set; }
            public DateTimeOffset DateTimeOffset { get; set; }
            public DateTimeOffset? DateTimeOffsetN { get; set; }
            public DateOnly DateOnly { get; set; }
            public DateOnly? DateOnlyN { get; set; }
            public TimeOnly TimeOnly { get; set; }
            public TimeOnly? TimeOnlyN { get; set; }
            public TimeSpan TimeSpan { get; set; }
            public TimeSpan? TimeSpanN { get; set; }
            public byte[] Bytes { get; set; } = Array.Empty<byte>();
            public byte[]? BytesN { get; set; }
            public Color Color { get; set; }
            public Small? SmallN { get; set; }
            public int[] Ints { get; set; } = Array.Empty<int>();
            public string?[]? Texts { get; set; }
            public Guid[]? Guids { get; set; }
            public DateTime?[]? Times { get; set; }
            public byte[][]? Blobs { get; set; }
        }
        """;

    /// <summary>One side of a multi-master pair: a version member and conflict policies, one target in a channel.</summary>
    public const string Conflicting = """
        using System.ComponentModel.DataAnnotations;
        using System.ComponentModel.DataAnnotations.Schema;
        using RoslynPgSync;

        namespace Mesh;

        [Table("items", Schema = "node_a")]
        [Replicate("node_b", TargetSchema = "node_b", Conflicts = ConflictPolicy.LastWriterWins, Channel = "items")]
        [Replicate("audit", Conflicts = ConflictPolicy.KeepLocal)]
        [Replicate("copy")]
        public sealed class Item
        {
            public int Id { get; set; }
            public string? Name { get; set; }
            [ConcurrencyCheck] public long Version { get; set; }
        }
        """;

    /// <summary>Both sides of a multi-master pair resolved by LastWriterWins, with a version member and a composite key.</summary>
    public const string LastWriterWins = """
        using System.ComponentModel.DataAnnotations;
        using System.ComponentModel.DataAnnotations.Schema;
        using Microsoft.EntityFrameworkCore;
        using RoslynPgSync;

        namespace Mesh;

        [Table("stock", Schema = "shop")]
        [Replicate("peer", Conflicts = ConflictPolicy.LastWriterWins)]
        [PrimaryKey(nameof(Store), nameof(Sku))]
        public sealed class Stock
        {
            public int Store { get; set; }
            public string Sku { get; set; } = "";
            public int Quantity { get; set; }
            [Column(TypeName = "jsonb")] public string? Details { get; set; }
            [ConcurrencyCheck] public long Version { get; set; }
        }
        """;

    /// <summary>
    /// A node in a cascade: it forwards what it applies to "next" (resolved by LastWriterWins, so the stamps it
    /// received go on), and sends only its own writes to "archive".
    /// </summary>
    public const string Forwarding = """
        using System.ComponentModel.DataAnnotations;
        using System.ComponentModel.DataAnnotations.Schema;
        using RoslynPgSync;

        namespace Relay;

        [Table("parcel", Schema = "post")]
        [Replicate("next", Forward = true, Conflicts = ConflictPolicy.LastWriterWins)]
        [Replicate("archive", TargetSchema = "archive")]
        public sealed class Parcel
        {
            [Key] public long Id { get; set; }
            public string? Label { get; set; }
        }
        """;
}
