package dev.upsert.spring.shop;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.upsert.DuplicateKeyException;

// tag::advice[]
@RestControllerAdvice
class DuplicateKeyAdvice {

    /** 409 naming the field; Spring's DuplicateKeyException (a deferred constraint) is a DataIntegrityViolationException too. */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ProblemDetail conflict(DataIntegrityViolationException e) {
        DuplicateKeyException duplicate = DuplicateKeyException.find(e).orElseThrow(() -> e);
        String field = String.join(",", duplicate.getAttributeNames());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, field + " is already taken");
        problem.setProperty("field", field);
        return problem;
    }
}
// end::advice[]
