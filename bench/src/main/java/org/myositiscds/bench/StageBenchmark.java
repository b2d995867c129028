package org.myositiscds.bench;

import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.cards.Card;
import org.myositiscds.cql.CqlEvaluator;
import org.myositiscds.cql.GuidelineContract;
import org.myositiscds.hooks.CdsRequest;
import org.myositiscds.hooks.CdsServiceInvoker;
import org.myositiscds.knowledge.ServiceDefinition;
import org.myositiscds.prefetch.PatientData;
import org.myositiscds.prefetch.PrefetchResolver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;

/**
 * The stages of one call, each on its own, for the generated patients: the request's JSON tree,
 * HAPI parsing of its FHIR resources, the whole request parsing (both, with the tree written back
 * to text for HAPI, and the checks), prefetch resolution, CQL evaluation, card assembly and the
 * response's serialization. The inputs of each stage are the outputs of the one before, made
 * once in the setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class StageBenchmark {

	@Param("rituximab-order-sign")
	public String service;

	@Param("200")
	public int patients;

	private CallPath path;

	private ServiceDefinition definition;

	private CqlEvaluator evaluator;

	/** Per patient: the request body, the FHIR resources of its prefetch and draft orders as text, and each stage's output. */
	private final List<byte[]> bodies = new ArrayList<>();

	private final List<List<String>> fhirTexts = new ArrayList<>();

	private final List<CdsRequest> parsed = new ArrayList<>();

	private final List<PatientData> data = new ArrayList<>();

	private final List<Object> cardTuples = new ArrayList<>();

	private final List<List<Card>> cards = new ArrayList<>();

	private int next;

	@Setup
	public void setUp() {
		path = new CallPath();
		definition = Bench.service(path.json, service);
		evaluator = path.knowledgeBase.current().evaluator();
		HookRequests requests = new HookRequests(path.fhir, path.json, Bench.DEFAULT_SEED);
		for (var patient : new PatientGenerator(Bench.DEFAULT_SEED, LocalDate.now()).patients(patients)) {
			byte[] body = requests.withPrefetch(definition, patient);
			bodies.add(body);
			JsonNode tree = path.json.readTree(body);
			List<String> texts = new ArrayList<>();
			texts.add(tree.path("context").path("draftOrders").toString());
			tree.path("prefetch").forEach(resource -> texts.add(resource.toString()));
			fhirTexts.add(texts);
			CdsRequest request = path.parser.parse(body, definition);
			parsed.add(request);
			PatientData patientData = resolve(request);
			data.add(patientData);
			Object tuples = evaluate(request, patientData);
			cardTuples.add(tuples);
			cards.add(path.cardAssembler.assemble(tuples, CdsServiceInvoker.originals(request, patientData),
					CallPath.SERVICE_BASE_URL));
		}
	}

	private int nextPatient() {
		int patient = next;
		next = (next + 1) % bodies.size();
		return patient;
	}

	private PatientData resolve(CdsRequest request) {
		return path.prefetchResolver.resolve(definition.prefetchTemplates(), new PrefetchResolver.Offer(request.prefetch(),
				request.fhirServer(), request.accessToken(), request.contextFields(), request.patientId()));
	}

	private Object evaluate(CdsRequest request, PatientData patientData) {
		Map<String, Object> parameters = Map.of(GuidelineContract.HOOK, request.hook(), GuidelineContract.DRAFT_ORDERS,
				request.draftOrders(), GuidelineContract.SELECTIONS, request.selections());
		return evaluator.evaluate(definition.library(), List.of(GuidelineContract.CARDS), patientData, parameters,
				ZonedDateTime.now(path.clock)).get(GuidelineContract.CARDS);
	}

	/** Jackson's tree of the request body, as the parser reads it first. */
	@Benchmark
	public JsonNode jsonTree() {
		return path.json.readTree(bodies.get(nextPatient()));
	}

	/** HAPI parsing of the request's FHIR resources (draft orders and each prefetch key), from text. */
	@Benchmark
	public List<Resource> fhirParsing() {
		List<Resource> resources = new ArrayList<>();
		for (String text : fhirTexts.get(nextPatient())) {
			resources.add((Resource) path.fhir.newJsonParser().parseResource(text));
		}
		return resources;
	}

	/** The whole of CdsRequestParser: JSON tree, the tree written back to text per resource, HAPI, checks. */
	@Benchmark
	public CdsRequest requestParsing() {
		return path.parser.parse(bodies.get(nextPatient()), definition);
	}

	@Benchmark
	public PatientData prefetchResolution() {
		return resolve(parsed.get(nextPatient()));
	}

	@Benchmark
	public Object cqlEvaluation() {
		int patient = nextPatient();
		return evaluate(parsed.get(patient), data.get(patient));
	}

	@Benchmark
	public List<Card> cardAssembly() {
		int patient = nextPatient();
		return path.cardAssembler.assemble(cardTuples.get(patient),
				CdsServiceInvoker.originals(parsed.get(patient), data.get(patient)), CallPath.SERVICE_BASE_URL);
	}

	/** The response body as the controller's {@code {"cards": [...]}} record is written. */
	@Benchmark
	public byte[] responseSerialization() {
		return path.json.writeValueAsBytes(Map.of("cards", cards.get(nextPatient())));
	}
}
