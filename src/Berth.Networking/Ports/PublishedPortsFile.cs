using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Engine.Networks;

namespace Berth.Networking.Ports;

/// <summary>
/// The host ports each running container holds, one small JSON file per container under
/// &lt;exec-root&gt;/ports/ (runtime state, like the rules: it lives as long as the containers do,
/// not across reboots). A restarted daemon reads it to take the same ports again for containers
/// that kept running. Written temp-then-rename.
/// </summary>
public sealed class PublishedPortsFile
{
    private readonly string _dir;

    public PublishedPortsFile(string execRoot)
    {
        _dir = Path.Combine(execRoot, "ports");
    }

    public void Write(string containerId, IReadOnlyList<PublishedPort> ports)
    {
        Directory.CreateDirectory(_dir);
        string path = PathFor(containerId);
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize([.. ports], PortsJsonContext.Default.ListPublishedPort));
        File.Move(temp, path, overwrite: true);
    }

    public IReadOnlyList<PublishedPort> Read(string containerId)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(PathFor(containerId)), PortsJsonContext.Default.ListPublishedPort) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return [];
        }
    }

    public void Delete(string containerId)
    {
        try
        {
            File.Delete(PathFor(containerId));
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private string PathFor(string containerId) => Path.Combine(_dir, containerId + ".json");
}

[JsonSerializable(typeof(List<PublishedPort>))]
internal sealed partial class PortsJsonContext : JsonSerializerContext;
