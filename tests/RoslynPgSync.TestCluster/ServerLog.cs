using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace RoslynPgSync.TestCluster;

/// <summary>Reads the end of the server log, with password literals blanked out.</summary>
internal static partial class ServerLog
{
    /// <summary>The last <paramref name="lines"/> lines of <paramref name="path"/>, redacted; empty if there is no log.</summary>
    public static string Tail(string path, int lines)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        string text;
        try
        {
            text = ReadShared(path, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }

        var all = text.Split('\n');
        var queue = new Queue<string>(lines);
        foreach (var line in all)
        {
            if (queue.Count == lines)
            {
                queue.Dequeue();
            }

            queue.Enqueue(line);
        }

        return Redact(string.Join('\n', queue).TrimEnd());
    }

    /// <summary>The current length of the log, to read only what a later step appends.</summary>
    public static long Length(string path)
    {
        try
        {
            var file = new FileInfo(path);
            return file.Exists ? file.Length : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>What the log gained after <paramref name="offset"/>, redacted.</summary>
    public static string ReadFrom(string path, long offset)
    {
        try
        {
            return Redact(ReadShared(path, offset));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>Blanks <c>PASSWORD '...'</c> literals, which a logged failed statement may contain.</summary>
    public static string Redact(string text) => PasswordLiteral().Replace(text, "PASSWORD '***'");

    private static string ReadShared(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (offset > 0 && offset <= stream.Length)
        {
            stream.Seek(offset, SeekOrigin.Begin);
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"PASSWORD\s+'(?:[^']|'')*'", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordLiteral();
}
