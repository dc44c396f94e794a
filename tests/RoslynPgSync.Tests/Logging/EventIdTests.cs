using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using RoslynPgSync.Tests.Infrastructure;
using Xunit;

namespace RoslynPgSync.Tests.Logging;

/// <summary>PgSyncEventIds against docs/logging.md and against the runtime's [LoggerMessage] methods.</summary>
public sealed partial class EventIdTests
{
    private static readonly IReadOnlyDictionary<string, int> Ids = typeof(PgSyncEventIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!, StringComparer.Ordinal);

    [Fact]
    public void Every_event_id_is_unique_and_documented_inside_its_part_s_range()
    {
        var (ranges, rows) = ReadDocs();

        // The five parts, in order, without overlap, as the docs' table of ranges lists them.
        Assert.Equal(new[] { (1000, 1999), (2000, 2999), (3000, 3999), (4000, 4999), (5000, 5999) }, ranges.Select(r => (r.First, r.Last)));
        Assert.NotEmpty(Ids);
        Assert.Equal(Ids.Count, Ids.Values.Distinct().Count());
        foreach (var (name, id) in Ids)
        {
            var row = Assert.Single(rows, r => r.Name == name);
            Assert.Equal(id, row.Id);
            Assert.InRange(id, row.Range.First, row.Range.Last);
        }

        // Nothing documented that is not a constant (a renamed or removed event).
        Assert.All(rows, r => Assert.True(Ids.TryGetValue(r.Name, out var id) && id == r.Id, $"docs/logging.md lists {r.Id} {r.Name}, which PgSyncEventIds does not have"));
    }

    [Fact]
    public void Every_logger_message_of_the_runtime_uses_a_PgSyncEventIds_constant_under_its_name()
    {
        var messages = typeof(PgSyncEventIds).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.NotEmpty(messages);
        foreach (var (method, attribute) in messages)
        {
            var where = $"{method.DeclaringType!.Name}.{method.Name}";
            Assert.True(Ids.TryGetValue(attribute!.EventName ?? string.Empty, out var id), $"{where} logs event name '{attribute.EventName}', which is no PgSyncEventIds constant");
            Assert.True(id == attribute.EventId, $"{where} logs {attribute.EventName} with id {attribute.EventId}; PgSyncEventIds says {id}");
        }

        Assert.Equal(messages.Count, messages.Select(m => m.Attribute!.EventId).Distinct().Count());
    }

    /// <summary>The table of ranges, and each event row (<c>| id | `Name` | ...</c>) with the range of the section it is in.</summary>
    private static (List<(int First, int Last)> Ranges, List<(int Id, string Name, (int First, int Last) Range)> Rows) ReadDocs()
    {
        var ranges = new List<(int First, int Last)>();
        var rows = new List<(int Id, string Name, (int First, int Last) Range)>();
        (int First, int Last)? section = null;
        foreach (var line in Repository.ReadAllText("docs/logging.md").Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                var heading = HeadingRange().Match(line);
                section = heading.Success ? (Number(heading.Groups[1]), Number(heading.Groups[2])) : null;
            }
            else if (RangeRow().Match(line) is { Success: true } range)
            {
                ranges.Add((Number(range.Groups[1]), Number(range.Groups[2])));
            }
            else if (EventRow().Match(line) is { Success: true } row)
            {
                Assert.True(section is not null, $"docs/logging.md lists event {row.Groups[1].Value} outside a section with a range");
                rows.Add((Number(row.Groups[1]), row.Groups[2].Value, section!.Value));
            }
        }

        // Each section's range is one of the table's.
        Assert.All(rows, r => Assert.Contains(r.Range, ranges));
        return (ranges, rows);
    }

    private static int Number(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^## .*\((\d+)-(\d+)\)\s*$")]
    private static partial Regex HeadingRange();

    [GeneratedRegex(@"^\| (\d+)-(\d+) \|")]
    private static partial Regex RangeRow();

    [GeneratedRegex(@"^\| (\d+) \| `(\w+)` \|")]
    private static partial Regex EventRow();
}
