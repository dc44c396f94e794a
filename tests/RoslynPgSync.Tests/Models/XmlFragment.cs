using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>An xml column (server xml_dst, Async), read back under a destination's xmloption (SessionSettingsTests).</summary>
[Table("doc", Schema = "xmlsrc")]
[Replicate("xml_dst", TargetSchema = "xml_copy")]
public sealed class XmlFragment
{
    [Key] public int Id { get; set; }
    [Column(TypeName = "xml")] public string? Body { get; set; }
}
