using System.Text.Json;
using Berth.Engine.Errors;

namespace Berth.Runtime.Oci;

/// <summary>
/// Turns a runtime's error output into a DaemonException once, at the CLI boundary. runc and crun
/// print logrus-style JSON lines with --log-format json ({"level":"error","msg":...}); anything
/// else is taken as plain text.
/// </summary>
internal static class RuntimeErrors
{
    /// <summary>The most useful message in the output: the last error-level "msg", else the last non-empty line.</summary>
    public static string ExtractMessage(string output)
    {
        string? lastError = null;
        string? lastLine = null;
        foreach (string raw in output.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            lastLine = line;
            if (line[0] == '{' && TryParseJsonLine(line, out string? level, out string? msg) && msg is not null)
            {
                lastLine = msg;
                if (level is "error" or "fatal" or null)
                {
                    lastError = msg;
                }
            }
        }
        return lastError ?? lastLine ?? "no error output";
    }

    public static DaemonException ToException(string runtime, string command, string id, string message)
    {
        ErrorKind kind = Classify(command, message);
        string text = kind == ErrorKind.NotFound
            ? Messages.NoSuchObject("container", id)
            : Messages.RuntimeCommandFailed(runtime, command, message);
        return new DaemonException(kind, text);
    }

    public static ErrorKind Classify(string command, string message)
    {
        if (message.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
            || (command is "state" or "kill" or "start" && message.Contains("No such file or directory", StringComparison.Ordinal)))
        {
            return ErrorKind.NotFound;
        }
        if (message.Contains("not running", StringComparison.OrdinalIgnoreCase)
            || message.Contains("is paused", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not paused", StringComparison.OrdinalIgnoreCase)
            || message.Contains("already exists", StringComparison.OrdinalIgnoreCase)
            || message.Contains("cannot start", StringComparison.OrdinalIgnoreCase)
            || message.Contains("stopped", StringComparison.OrdinalIgnoreCase))
        {
            return ErrorKind.Conflict;
        }
        return ErrorKind.System;
    }

    private static bool TryParseJsonLine(string line, out string? level, out string? msg)
    {
        level = null;
        msg = null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }
            if (doc.RootElement.TryGetProperty("msg", out JsonElement m) && m.ValueKind == JsonValueKind.String)
            {
                msg = m.GetString();
            }
            if (doc.RootElement.TryGetProperty("level", out JsonElement l) && l.ValueKind == JsonValueKind.String)
            {
                level = l.GetString();
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
