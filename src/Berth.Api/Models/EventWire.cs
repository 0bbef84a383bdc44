using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Berth.Engine.Events;

namespace Berth.Api.Models;

/// <summary>
/// Writes one event the way dockerd (API ≤ 1.51) encodes moby's events.Message: the deprecated
/// status/id/from first and only for container and image events (empty ones omitted, as Go's
/// omitempty does), then Type, Action, Actor {ID, Attributes}, scope, time, timeNano, with
/// attribute keys sorted like Go's map encoding. Written by hand with Utf8JsonWriter because it
/// runs once per event per subscriber and must not allocate.
/// </summary>
public static class EventWire
{
    /// <summary>
    /// Non-ASCII text stays raw UTF-8 as Go writes it. HTML-sensitive characters are still
    /// escaped (Go escapes &lt; &gt; &amp; too; .NET also escapes ' + `), which any JSON reader decodes
    /// to the same string.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        Indented = false,
    };

    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText From = JsonEncodedText.Encode("from");
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("Type");
    private static readonly JsonEncodedText Action = JsonEncodedText.Encode("Action");
    private static readonly JsonEncodedText Actor = JsonEncodedText.Encode("Actor");
    private static readonly JsonEncodedText ActorId = JsonEncodedText.Encode("ID");
    private static readonly JsonEncodedText Attributes = JsonEncodedText.Encode("Attributes");
    private static readonly JsonEncodedText Scope = JsonEncodedText.Encode("scope");
    private static readonly JsonEncodedText Time = JsonEncodedText.Encode("time");
    private static readonly JsonEncodedText TimeNano = JsonEncodedText.Encode("timeNano");

    /// <param name="legacyFields">
    /// Include status/id/from: dockerd backfills them for every API version below 1.52
    /// (docs/api/version-history.md v1.52; moby daemon/events Log in 25.x set them on every event).
    /// </param>
    public static void Write(Utf8JsonWriter writer, EventMessage ev, bool legacyFields)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(ev);
        writer.WriteStartObject();
        if (legacyFields && ev.Type is EventTypes.Container or EventTypes.Image)
        {
            WriteIfNotEmpty(writer, Status, ev.Action);
            WriteIfNotEmpty(writer, Id, ev.ActorId);
            if (ev.Type == EventTypes.Container && ev.Attributes.TryGetValue("image", out var image))
            {
                WriteIfNotEmpty(writer, From, image);
            }
        }
        writer.WriteString(Type, ev.Type);
        writer.WriteString(Action, ev.Action);
        writer.WriteStartObject(Actor);
        writer.WriteString(ActorId, ev.ActorId);
        writer.WritePropertyName(Attributes);
        WriteAttributes(writer, ev.Attributes);
        writer.WriteEndObject();
        WriteIfNotEmpty(writer, Scope, ev.Scope);
        long seconds = Math.DivRem(ev.TimeNano, 1_000_000_000, out long rest);
        if (rest < 0)
        {
            seconds--; // Go's Time.Unix floors
        }
        if (seconds != 0)
        {
            writer.WriteNumber(Time, seconds);
        }
        if (ev.TimeNano != 0)
        {
            writer.WriteNumber(TimeNano, ev.TimeNano);
        }
        writer.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter writer, IReadOnlyDictionary<string, string>? attributes)
    {
        if (attributes is null)
        {
            writer.WriteNullValue(); // a nil Go map
            return;
        }
        writer.WriteStartObject();
        if (attributes is EventAttributeDictionary sorted)
        {
            foreach (var pair in sorted.Pairs)
            {
                writer.WriteString(pair.Key, pair.Value);
            }
        }
        else
        {
            // Only events built outside the bus get here; sort a copy to keep the wire order.
            var pairs = attributes.ToArray();
            Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (var pair in pairs)
            {
                writer.WriteString(pair.Key, pair.Value);
            }
        }
        writer.WriteEndObject();
    }

    private static void WriteIfNotEmpty(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }
}
