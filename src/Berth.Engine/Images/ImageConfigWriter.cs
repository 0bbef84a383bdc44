using System.Text.Json;

namespace Berth.Engine.Images;

/// <summary>What a new single-layer image config (import) is made of.</summary>
public sealed record NewImageConfig(
    string Architecture,
    string Os,
    string? Variant,
    DateTimeOffset Created,
    string Comment,
    string DockerVersion,
    RunConfig Config,
    IReadOnlyList<Digest> DiffIds,
    IReadOnlyList<HistoryEntry> History)
{
    /// <summary>docker commit: the container the image was made from, and --author.</summary>
    public string? Container { get; init; }
    public string? Author { get; init; }
}

/// <summary>
/// Writes new image configs in the shape dockerd's image.Image marshals to: the Docker fields in
/// Go's struct order, the run config with every non-omitempty container.Config field (so inspect
/// shows what it shows for dockerd's imports), times in RFC 3339 with nanoseconds.
/// </summary>
public static class ImageConfigWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Write(NewImageConfig image)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            if (image.Comment.Length > 0)
            {
                w.WriteString("comment", image.Comment);
            }
            w.WriteString("created", GoTime.FormatRfc3339Nano(image.Created));
            WriteIfSet(w, "container", image.Container);
            w.WriteString("docker_version", image.DockerVersion);
            WriteIfSet(w, "author", image.Author);
            w.WritePropertyName("config");
            WriteRunConfig(w, image.Config);
            w.WriteString("architecture", image.Architecture);
            if (!string.IsNullOrEmpty(image.Variant))
            {
                w.WriteString("variant", image.Variant);
            }
            w.WriteString("os", image.Os);
            w.WriteStartObject("rootfs");
            w.WriteString("type", "layers");
            w.WriteStartArray("diff_ids");
            foreach (var diffId in image.DiffIds)
            {
                w.WriteStringValue(diffId.ToString());
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("history");
            foreach (var entry in image.History)
            {
                WriteHistory(w, entry);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteHistory(Utf8JsonWriter w, HistoryEntry entry)
    {
        w.WriteStartObject();
        if (entry.Created is { } created)
        {
            w.WriteString("created", GoTime.FormatRfc3339Nano(created));
        }
        WriteIfSet(w, "author", entry.Author);
        WriteIfSet(w, "created_by", entry.CreatedBy);
        WriteIfSet(w, "comment", entry.Comment);
        if (entry.EmptyLayer == true)
        {
            w.WriteBoolean("empty_layer", true);
        }
        w.WriteEndObject();
    }

    private static void WriteRunConfig(Utf8JsonWriter w, RunConfig c)
    {
        w.WriteStartObject();
        w.WriteString("Hostname", "");
        w.WriteString("Domainname", "");
        w.WriteString("User", c.User);
        w.WriteBoolean("AttachStdin", false);
        w.WriteBoolean("AttachStdout", false);
        w.WriteBoolean("AttachStderr", false);
        if (c.ExposedPorts is { Count: > 0 })
        {
            WriteSet(w, "ExposedPorts", c.ExposedPorts);
        }
        w.WriteBoolean("Tty", false);
        w.WriteBoolean("OpenStdin", false);
        w.WriteBoolean("StdinOnce", false);
        WriteList(w, "Env", c.Env);
        WriteList(w, "Cmd", c.Cmd);
        if (c.Healthcheck is { } health)
        {
            WriteHealthcheck(w, health);
        }
        w.WriteString("Image", "");
        if (c.Volumes is { Count: > 0 })
        {
            WriteSet(w, "Volumes", c.Volumes);
        }
        else
        {
            w.WriteNull("Volumes");
        }
        w.WriteString("WorkingDir", c.WorkingDir);
        WriteList(w, "Entrypoint", c.Entrypoint);
        WriteList(w, "OnBuild", c.OnBuild);
        if (c.Labels is { } labels)
        {
            w.WriteStartObject("Labels");
            foreach (var (key, value) in labels)
            {
                w.WriteString(key, value);
            }
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("Labels");
        }
        WriteIfSet(w, "StopSignal", c.StopSignal);
        if (c.Shell is { Count: > 0 })
        {
            WriteList(w, "Shell", c.Shell);
        }
        w.WriteEndObject();
    }

    private static void WriteHealthcheck(Utf8JsonWriter w, HealthConfig h)
    {
        w.WriteStartObject("Healthcheck");
        WriteList(w, "Test", h.Test);
        if (h.Interval is > 0) { w.WriteNumber("Interval", h.Interval.Value); }
        if (h.Timeout is > 0) { w.WriteNumber("Timeout", h.Timeout.Value); }
        if (h.StartPeriod is > 0) { w.WriteNumber("StartPeriod", h.StartPeriod.Value); }
        if (h.StartInterval is > 0) { w.WriteNumber("StartInterval", h.StartInterval.Value); }
        if (h.Retries is > 0) { w.WriteNumber("Retries", h.Retries.Value); }
        w.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }

    private static void WriteSet(Utf8JsonWriter w, string name, IEnumerable<string> keys)
    {
        w.WriteStartObject(name);
        foreach (var key in keys)
        {
            w.WriteStartObject(key);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter w, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            w.WriteString(name, value);
        }
    }
}
