package io.massmessage.relay.flow;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.mutiny.core.Vertx;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.jboss.logging.Logger;

/**
 * A Kafka broker of one node on the loopback interface that takes every record produced to it and keeps none, for the
 * rehearsal at start ({@link WarmUp}): the relay's outcome producer is then a real {@code KafkaProducer} (its
 * accumulator, sender, network client and callbacks), compiled before the first command instead of during the first
 * backlog, where that code was the costliest the compiler still had to compile (docs/benchmarks/, the file on the
 * rehearsed producer). It answers what a producer asks: the API versions, metadata (every topic asked for, of
 * {@value #PARTITIONS} partitions led by this node), a producer id (the relay's producer is idempotent) and produce
 * requests (acknowledged with offsets counted per partition, the records dropped). Any other request closes the
 * connection.
 *
 * <p>It speaks the protocol through the Kafka client's own message classes (requests parsed and responses written by
 * the generated {@code *Data} classes), which are internal to the client: recheck on every Kafka bump, as the tests'
 * broker is.
 */
final class LoopbackBroker {

    private static final Logger LOG = Logger.getLogger(LoopbackBroker.class);
    /** Partitions of every topic, so that records keyed apart go in batches of their own, as on a real one. */
    static final int PARTITIONS = 8;
    private static final int NODE = 0;
    /** The largest request it reads: a produce request of the producer's default size and more. */
    private static final int MAX_REQUEST_BYTES = 16 << 20;
    private static final long PRODUCER_ID = 1_000;
    /** Offsets handed out so far, per topic and partition. */
    private final Map<String, AtomicLong> offsets = new ConcurrentHashMap<>();
    private final Map<String, Uuid> topicIds = new ConcurrentHashMap<>();
    private final Map<Uuid, String> topicNames = new ConcurrentHashMap<>();
    private final AtomicLong records = new AtomicLong();
    private final NetServer server;
    private volatile int port;

    private LoopbackBroker(Vertx vertx) {
        this.server = vertx.getDelegate().createNetServer().connectHandler(this::serve);
    }

    /** A broker listening on the loopback interface, on a port of the system's choosing. */
    static Uni<LoopbackBroker> start(Vertx vertx) {
        LoopbackBroker broker = new LoopbackBroker(vertx);
        return Uni.createFrom().completionStage(() -> broker.server.listen(0, "127.0.0.1").toCompletionStage())
                .map(listening -> {
                    broker.port = listening.actualPort();
                    return broker;
                });
    }

    /** Its address, as a producer's {@code bootstrap.servers}. */
    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** How many records it was sent and acknowledged. */
    long records() {
        return records.get();
    }

    /** Stops listening and closes the connections. */
    Uni<Void> close() {
        return Uni.createFrom().completionStage(() -> server.close().toCompletionStage());
    }

    private void serve(NetSocket socket) {
        RecordParser frames = RecordParser.newFixed(4);
        boolean[] sizeNext = {true};
        frames.handler(frame -> {
            if (sizeNext[0]) {
                int size = frame.getInt(0);
                if (size <= 0 || size > MAX_REQUEST_BYTES) {
                    socket.close(); // not a producer of the rehearsal's
                    return;
                }
                sizeNext[0] = false;
                frames.fixedSizeMode(size);
                return;
            }
            sizeNext[0] = true;
            frames.fixedSizeMode(4);
            try {
                Buffer response = answer(ByteBuffer.wrap(frame.getBytes()));
                if (response != null) {
                    socket.write(response);
                }
            } catch (RuntimeException e) {
                LOG.debugf("the rehearsal's broker closes a connection: %s", e);
                socket.close();
            }
        });
        socket.handler(frames);
    }

    /** The response to one request (its size prefix removed), or null when none is due (acks 0). */
    private Buffer answer(ByteBuffer request) {
        RequestHeader header = RequestHeader.parse(request);
        ApiKeys api = header.apiKey();
        short version = header.apiVersion();
        AbstractRequest parsed = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(request)).request;
        ApiMessage body = switch (api) {
            case API_VERSIONS -> apiVersions();
            case METADATA -> metadata(((MetadataRequest) parsed).data());
            case INIT_PRODUCER_ID -> new InitProducerIdResponseData().setProducerId(PRODUCER_ID).setProducerEpoch(
                    (short) 0);
            case PRODUCE -> {
                ProduceRequest produce = (ProduceRequest) parsed;
                ProduceResponseData produced = produce(produce.data());
                yield produce.acks() == 0 ? null : produced;
            }
            default -> throw new IllegalStateException("not a producer's request: " + api);
        };
        return body == null ? null : framed(header.toResponseHeader(), body, version);
    }

    private static ApiVersionsResponseData apiVersions() {
        ApiVersionsResponseData.ApiVersionCollection apis = new ApiVersionsResponseData.ApiVersionCollection();
        for (ApiKeys api : List.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.INIT_PRODUCER_ID,
                ApiKeys.PRODUCE)) {
            apis.add(new ApiVersionsResponseData.ApiVersion().setApiKey(api.id).setMinVersion(api.oldestVersion())
                    .setMaxVersion(api.latestVersion()));
        }
        return new ApiVersionsResponseData().setErrorCode((short) 0).setApiKeys(apis);
    }

    private MetadataResponseData metadata(MetadataRequestData request) {
        MetadataResponseData response = new MetadataResponseData().setClusterId("relay-rehearsal")
                .setControllerId(NODE);
        response.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(NODE)
                .setHost("127.0.0.1").setPort(port));
        if (request.topics() == null) {
            return response; // all topics: none exist until a producer names them
        }
        for (MetadataRequestData.MetadataRequestTopic asked : request.topics()) {
            String name = asked.name() != null ? asked.name() : topicNames.get(asked.topicId());
            if (name == null) {
                continue;
            }
            MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic()
                    .setName(name).setTopicId(topicId(name)).setErrorCode((short) 0);
            for (int partition = 0; partition < PARTITIONS; partition++) {
                topic.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                        .setPartitionIndex(partition).setLeaderId(NODE).setLeaderEpoch(0)
                        .setReplicaNodes(List.of(NODE)).setIsrNodes(List.of(NODE)).setOfflineReplicas(List.of()));
            }
            response.topics().add(topic);
        }
        return response;
    }

    private Uuid topicId(String name) {
        return topicIds.computeIfAbsent(name, n -> {
            Uuid id = Uuid.randomUuid();
            topicNames.put(id, n);
            return id;
        });
    }

    private ProduceResponseData produce(ProduceRequestData request) {
        ProduceResponseData response = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            String name = topic.name() != null && !topic.name().isEmpty() ? topic.name()
                    : topicNames.getOrDefault(topic.topicId(), topic.topicId().toString());
            ProduceResponseData.TopicProduceResponse answered = new ProduceResponseData.TopicProduceResponse()
                    .setName(topic.name()).setTopicId(topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                long count = count(partition.records());
                records.addAndGet(count);
                long base = offsets.computeIfAbsent(name + "-" + partition.index(), p -> new AtomicLong())
                        .getAndAdd(count);
                answered.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(partition.index()).setErrorCode((short) 0).setBaseOffset(base)
                        .setLogAppendTimeMs(RecordBatch.NO_TIMESTAMP).setLogStartOffset(0));
            }
            response.responses().add(answered);
        }
        return response;
    }

    private static long count(BaseRecords records) {
        long count = 0;
        if (records instanceof MemoryRecords memory) {
            for (RecordBatch batch : memory.batches()) {
                count += batch.lastOffset() - batch.baseOffset() + 1;
            }
        }
        return count;
    }

    /** {@code body} after its header, behind the size of both, as the protocol frames a response. */
    private static Buffer framed(ResponseHeader header, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        short headerVersion = header.headerVersion();
        int size = header.data().size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer out = ByteBuffer.allocate(4 + size);
        out.putInt(size);
        ByteBufferAccessor writer = new ByteBufferAccessor(out);
        header.data().write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        return Buffer.buffer(out.array());
    }
}
