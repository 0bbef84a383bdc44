using Docker.DotNet;

namespace Berth.IntegrationTests.Harness;

/// <summary>Docker.DotNet.Enhanced (4.3.x) clients, built the way Testcontainers builds them.</summary>
public static class DockerClients
{
    /// <param name="host">"unix:///path/to/sock"</param>
    /// <param name="apiVersion">Pins every request to /v{major.minor}/; null leaves it to the library.</param>
    public static DockerClient Create(string host, Version? apiVersion = null)
    {
        var builder = new DockerClientBuilder()
            .WithEndpoint(new Uri(host))
            .WithTimeout(TimeSpan.FromSeconds(30));
        if (apiVersion is not null)
        {
            builder = builder.WithApiVersion(apiVersion);
        }
        return builder.Build();
    }
}
