using Berth.Engine.Configuration;
using Berth.Engine.Containers;
using Berth.Networking.Dns;
using Berth.Networking.Endpoints;
using Berth.Networking.Firewall;
using Berth.Networking.Ports;
using Microsoft.Extensions.Logging;

namespace Berth.Daemon.Hosting;

/// <summary>Port publishing and the embedded DNS server, hooked onto container endpoints.</summary>
internal static class PublishingWiring
{
    /// <summary>Registers both observers (before any container starts or is recovered); the returned DNS owns the per-container servers.</summary>
    public static EmbeddedDns Attach(ContainerNetworking networking, ContainerService containers, Firewall firewall,
        Func<DaemonConfig> config, ILogger log)
    {
        var publisher = new PortPublisher(new PortAllocator(EphemeralPortRange.Read()), new SocketHostPortBinder(), firewall, log);
        var ports = new PortsObserver(publisher, new PublishedPortsFile(config().ExecRoot), log);
        networking.AddObserver(ports);
        containers.PublishedPorts = ports;
        var dns = new EmbeddedDns(new DnsForwarder(), log);
        networking.AddObserver(new DnsObserver(dns, new DnsRecords(), () => new DnsSettings(config().Dns), log));
        return dns;
    }
}
