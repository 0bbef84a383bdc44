using System.Buffers;
using System.Text;
using System.Text.Json;
using Berth.Api.Models;
using Berth.Engine.Events;

namespace Berth.UnitTests.Api.Routers;

public class EventWireTests
{
    private static string Write(EventMessage ev, bool legacy = true)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, EventWire.WriterOptions))
        {
            EventWire.Write(writer, ev, legacy);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static EventMessage Ev(string type, string action, string id, params (string Key, string Value)[] attributes) =>
        new(type, action, id, EventAttributeDictionary.From(attributes.ToDictionary(a => a.Key, a => a.Value)), 1_700_000_000_123_456_789);

    [Fact]
    public void ContainerEventCarriesStatusIdFromAndSortedAttributes()
    {
        var ev = Ev(EventTypes.Container, "start", "abc", ("name", "web"), ("image", "nginx:1.27"), ("com.example", "x"));
        Assert.Equal(
            """{"status":"start","id":"abc","from":"nginx:1.27","Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"com.example":"x","image":"nginx:1.27","name":"web"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}""",
            Write(ev));
    }

    [Fact]
    public void ImageEventHasStatusAndIdButNoFrom()
    {
        var ev = Ev(EventTypes.Image, "pull", "alpine:3.20", ("name", "alpine:3.20"));
        Assert.Equal(
            """{"status":"pull","id":"alpine:3.20","Type":"image","Action":"pull","Actor":{"ID":"alpine:3.20","Attributes":{"name":"alpine:3.20"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}""",
            Write(ev));
    }

    [Fact]
    public void ContainerWithoutImageOmitsFrom()
    {
        var ev = Ev(EventTypes.Container, "destroy", "abc", ("name", "web"));
        Assert.StartsWith("""{"status":"destroy","id":"abc","Type":"container",""", Write(ev), StringComparison.Ordinal);
    }

    [Fact]
    public void OtherTypesHaveNoLegacyFields()
    {
        var ev = Ev(EventTypes.Network, "connect", "n1", ("name", "bridge"), ("container", "abc"), ("type", "bridge"));
        Assert.Equal(
            """{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{"container":"abc","name":"bridge","type":"bridge"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}""",
            Write(ev));
    }

    [Fact]
    public void WithoutLegacyFieldsContainerEventStartsAtType()
    {
        var ev = Ev(EventTypes.Container, "start", "abc", ("image", "nginx"));
        Assert.Equal(
            """{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"image":"nginx"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}""",
            Write(ev, legacy: false));
    }

    [Fact]
    public void EmptyAttributesAndNonAsciiText()
    {
        var ev = new EventMessage(EventTypes.Volume, "create", "données", EventAttributeDictionary.Empty, 1_700_000_000_000_000_000);
        Assert.Equal(
            """{"Type":"volume","Action":"create","Actor":{"ID":"données","Attributes":{}},"scope":"local","time":1700000000,"timeNano":1700000000000000000}""",
            Write(ev));
    }

    [Fact]
    public void PlainDictionaryAttributesAreSortedToo()
    {
        var attributes = new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" };
        var ev = new EventMessage(EventTypes.Daemon, "reload", "D1", attributes, 5, Scope: "");
        Assert.Equal("""{"Type":"daemon","Action":"reload","Actor":{"ID":"D1","Attributes":{"a":"2","z":"1"}},"timeNano":5}""", Write(ev));
    }
}
