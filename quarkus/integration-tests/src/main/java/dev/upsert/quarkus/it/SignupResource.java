package dev.upsert.quarkus.it;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.upsert.DuplicateKeyException;

/** The HTTP face of {@link Signups}; a duplicate key, wherever it surfaced, is answered with 409. */
@Path("/signups")
public class SignupResource {

    @Inject
    Signups signups;

    @POST
    @Path("/customers/{email}/{name}")
    public Map<String, String> visit(@PathParam("email") String email, @PathParam("name") String name) {
        return Map.of("outcome", signups.visit(email, name).name());
    }

    @POST
    @Path("/accounts/{email}/{name}")
    public Map<String, Long> openAccount(@PathParam("email") String email, @PathParam("name") String name) {
        return Map.of("id", signups.openAccount(email, name));
    }

    @POST
    @Path("/members/{email}")
    public Response join(@PathParam("email") String email) {
        signups.join(email);
        return Response.noContent().build();
    }

    /** Whatever wraps it (a RollbackException from the JTA commit, an ArC wrapper), a duplicate key is a 409. */
    @ServerExceptionMapper
    public Response duplicate(RuntimeException e) {
        return DuplicateKeyException.find(e)
                .map(d -> Response.status(409).entity(Map.of(
                        "constraint", d.getConstraintName(), "columns", String.join(",", d.getColumnNames()))).build())
                .orElseGet(() -> Response.serverError().entity(Map.of("error", e.getClass().getName())).build());
    }
}
